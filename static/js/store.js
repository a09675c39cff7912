// The store desk: product suggestions, rule 3's hint while typing, confirmations, "tick all".
(function () {
  "use strict";

  // Product suggestions: a <datalist> refilled from /store/products.json as the user types.
  var form = document.getElementById("register-form");
  if (form) {
    var product = form.querySelector("#product");
    var list = document.getElementById("product-list");
    var timer = null;
    if (product && product.value) {
      // "Save and register another" refilled the style code: select it, so that the next
      // scan or typing replaces it (never "G24005G24001"), and Tab keeps it.
      product.focus();
      product.select();
    }
    if (product && list) {
      product.addEventListener("input", function () {
        clearTimeout(timer);
        var q = product.value.trim();
        if (q.length < 2) { return; }
        timer = setTimeout(function () {
          fetch(form.dataset.productsUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (rows) {
              list.textContent = "";
              rows.forEach(function (row) {
                var option = document.createElement("option");
                option.value = row.code;
                option.label = row.name;
                option.textContent = row.name;
                list.appendChild(option);
              });
            })
            .catch(function () { /* suggestions are a convenience; typing still works */ });
        }, 200);
      });
    }

    // Rule 3 at the counter: say it before saving when the delivery is older than the window.
    var hint = document.getElementById("rule3-hint");
    var delivery = form.querySelector("#delivery_received_on");
    var deliveryField = document.getElementById("delivery-field");
    var update = function () {
      var source = form.querySelector("input[name=source]:checked");
      var fromDelivery = source && source.value === "delivery";
      if (deliveryField) { deliveryField.hidden = !fromDelivery; }
      var purchase = document.getElementById("purchase-fields");
      if (purchase) { purchase.hidden = !(source && source.value === "customer_return"); }
      if (!hint || !delivery) { return; }
      var days = NaN;
      if (fromDelivery && delivery.value) {
        days = Math.round((Date.parse(hint.dataset.today) - Date.parse(delivery.value)) / 86400000);
      }
      if (days > Number(hint.dataset.window)) {
        hint.textContent = hint.dataset.message.replace("%(days)d", String(days));
        hint.hidden = false;
      } else {
        hint.hidden = true;
      }
    };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  // Forms with data-confirm ask first: static/js/confirm.js (every page loads it).

  // A header checkbox that ticks every row.
  // A Camera button beside a field (data-camera-for): the code the camera reads fills the
  // field, as a USB scanner would (the reader is scanning.js's, shared with the scan pages).
  document.querySelectorAll("button[data-camera-for]").forEach(function (button) {
    var input = document.getElementById(button.dataset.cameraFor);
    var video = document.getElementById("camera-view");
    var answer = document.getElementById("camera-answer");
    if (!input || !video || !window.Scanning) return;
    var reader = window.Scanning.camera(button, video, function (text) {
      reader.stop();
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    }, function () {
      if (answer) {
        answer.className = "answer refused";
        answer.textContent = button.dataset.textNoCamera;
      }
    });
  });

  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var boxes = all.form.querySelectorAll("input[name='" + all.dataset.checkAll + "']");
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
