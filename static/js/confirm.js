// Forms that undo or send something for good ask first: <form data-confirm="Question?">.
// (A listener here, not an inline onsubmit: the Content-Security-Policy allows no inline script.
// One listener on the document: rows a scanning page adds later ask too.)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (f instanceof HTMLFormElement && f.dataset.confirm !== undefined && !window.confirm(f.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
