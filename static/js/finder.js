// The header's search box, the compact menu on a phone, and the store pickers' suggestions.
// (A file, not inline script: the Content-Security-Policy allows none.)
(function () {
  "use strict";

  // "/" from anywhere that is not a text field puts the cursor in the header's search box.
  var search = document.getElementById("header-search");
  if (search) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
      event.preventDefault();
      search.focus();
      search.select();
    });
  }

  // The menu and the less used filters are open in the page (it works without script); on a
  // phone they start folded, unless a filter in them is in use (data-in-use).
  var folding = document.querySelectorAll("details.menu, details.fold-on-phone");
  var narrow = window.matchMedia("(max-width: 640px)");
  function fold() {
    folding.forEach(function (d) { d.open = !narrow.matches || d.hasAttribute("data-in-use"); });
  }
  fold();
  if (narrow.addEventListener) { narrow.addEventListener("change", fold); }

  // Store pickers: a text field (a store's code) with suggestions from /stores.json as one types.
  document.querySelectorAll("input[data-store-picker]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text === asked) { return; }
      timer = setTimeout(function () {
        asked = text;
        fetch(input.dataset.storePicker + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (stores) {
            list.textContent = "";
            stores.forEach(function (s) {
              var option = document.createElement("option");
              option.value = s.code;
              option.textContent = s.code + " · " + s.name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a convenience: typing the code still works */ });
      }, 150);
    });
  });
})();
