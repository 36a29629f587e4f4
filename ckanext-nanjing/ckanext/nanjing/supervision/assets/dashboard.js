/* 监督考核: sortable tables and the ECharts charts. The figures come from
   the page itself (<script type="application/json" id="supervision-data">),
   so the charts show what the tables show. */
(function () {
  "use strict";

  function sortTable(table, index, button) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = button.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value");
      var y = b.cells[index].getAttribute("data-value");
      var nx = parseFloat(x), ny = parseFloat(y);
      var order;
      if (x === "" || x === null) { return 1; }      // no figure: always last
      if (y === "" || y === null) { return -1; }
      if (!isNaN(nx) && !isNaN(ny)) { order = nx - ny; }
      else { order = x.localeCompare(y, "zh-Hans-CN"); }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  document.querySelectorAll("table.nanjing-sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () { sortTable(table, index, th); });
    });
  });

  var source = document.getElementById("supervision-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var instance = echarts.init(element, null, {renderer: "svg"});
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
    element.setAttribute("data-rendered", "true");
  }

  // Room on the right for a bar's figure ("100.0%"), the axis name under
  // the axis, and long body names wrapped: nothing is drawn outside the chart.
  var barGrid = {left: 8, right: 56, top: 8, bottom: 32, containLabel: true};
  var bodyLabels = {width: 140, overflow: "break", lineHeight: 14};

  chart("chart-scores", {
    tooltip: {trigger: "axis"},
    grid: barGrid,
    xAxis: {type: "value", max: 100, name: "得分", nameLocation: "middle", nameGap: 24},
    yAxis: {type: "category", inverse: true, axisLabel: bodyLabels,
            data: data.ranking.map(function (r) { return r.title; })},
    series: [{type: "bar", data: data.ranking.map(function (r) { return r.points; }),
              label: {show: true, position: "right"}}]
  });

  chart("chart-indicators", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null ? "无" : v + "%"; }},
    grid: barGrid,
    xAxis: {type: "value", max: 100, name: "%", nameLocation: "middle", nameGap: 24},
    yAxis: {type: "category", inverse: true, axisLabel: bodyLabels,
            data: data.indicators.map(function (i) { return i.label; })},
    series: [{type: "bar", name: data.detail_title,
              data: data.indicators.map(function (i) { return i.percent; }),
              label: {show: true, position: "right", formatter: "{c}%"}}]
  });

  chart("chart-trend", {
    tooltip: {trigger: "axis"},
    legend: {type: "scroll", bottom: 0},
    grid: {left: 8, right: 24, top: 32, bottom: 40, containLabel: true},
    xAxis: {type: "category", data: data.trend.months},
    yAxis: {type: "value", max: 100, name: "得分", nameLocation: "end", nameGap: 12},
    series: data.trend.series.map(function (s) {
      return {type: "line", name: s.title, data: s.points, connectNulls: true};
    })
  });
})();
