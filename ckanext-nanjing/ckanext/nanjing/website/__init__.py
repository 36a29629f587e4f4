"""The website itself: who runs it (footer, 关于本站), its sections (header,
网站地图)."""
