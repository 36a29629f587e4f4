/* /api/docs: Swagger UI over the platform's OpenAPI document. The address
   of the document comes from the page (data-spec), so the page works under
   any site root. "Try it out" calls the portal itself. */
(function () {
  "use strict";
  var holder = document.getElementById("api-docs");
  if (!holder || typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({
    url: holder.getAttribute("data-spec"),
    domNode: holder,
    deepLinking: true,
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    filter: true,
    tryItOutEnabled: false
  });
}());
