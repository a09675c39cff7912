// Forms that undo or send something for good ask first: <form data-confirm="Question?">.
// (A listener here, not an inline onsubmit: the Content-Security-Policy allows no inline script.)
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
