// The interactive API reference: Redoc, vendored in static/vendor/redoc (no CDN).
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  if (el && window.Redoc) {
    window.Redoc.init(el.dataset.specUrl, { hideDownloadButton: false, expandResponses: "200,201", nativeScrollbars: true }, el);
  }
})();
