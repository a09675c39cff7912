/* The bench: the scan station (one input that always has the focus, answers without a
   reload) and the grading card's keys (1/2/3 choose, Enter confirms). Plain JavaScript. */
(function () {
  "use strict";

  // --- Sounds: one short tone per outcome, made on the spot (no audio files). ---------
  var audio = null;
  var TONES = {
    ok: [[880, 0.09]],
    warning: [[520, 0.12], [520, 0.12]],
    refused: [[200, 0.45]]
  };
  function beep(outcome) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime;
      (TONES[outcome] || TONES.refused).forEach(function (tone) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = outcome === "refused" ? "square" : "sine";
        osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.15, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + tone[1]);
        osc.connect(gain).connect(audio.destination);
        osc.start(t);
        osc.stop(t + tone[1]);
        t += tone[1] + 0.05;
      });
    } catch (e) { /* no sound on this device: the colour still says it */ }
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // --- The scan station ---------------------------------------------------------------
  function station(root) {
    var form = document.getElementById("scan-form");
    var input = document.getElementById("scan-input");
    var modeField = document.getElementById("scan-mode");
    var batchField = document.getElementById("scan-batch");
    var answerBox = document.getElementById("scan-answer");
    var hint = document.getElementById("scan-hint");
    var receiving = document.getElementById("receiving");
    var packing = document.getElementById("packing");
    var rows = document.getElementById("expected-rows");
    var unexpected = document.getElementById("unexpected-form");
    var busy = false;
    var queue = [];

    function keepFocus() {
      // Scanners type into whatever has the focus: give it back to the input, except
      // while the person fills the "unexpected" form.
      if (!unexpected.hidden && unexpected.contains(document.activeElement)) return;
      input.focus();
    }
    input.addEventListener("blur", function () {
      // A click on nothing in particular gives the focus back; Tab to a button keeps it
      // there (the "Close the check" button must be reachable from the keyboard).
      setTimeout(function () {
        if (!document.activeElement || document.activeElement === document.body) keepFocus();
      }, 0);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") keepFocus();
    });

    function setMode(mode) {
      modeField.value = mode;
      root.querySelectorAll("[data-mode]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.mode === mode ? "true" : "false");
      });
      hint.textContent = hint.dataset[mode] || hint.textContent;
      receiving.hidden = mode !== "receive" || !batchField.value;
      packing.hidden = mode !== "pack" || !packing.dataset.filled;
      var url = new URL(window.location.href);
      url.searchParams.set("mode", mode);
      if (batchField.value && mode === "receive") url.searchParams.set("batch", batchField.value); else url.searchParams.delete("batch");
      window.history.replaceState(null, "", url);
    }
    root.querySelectorAll("[data-mode]").forEach(function (b) {
      b.addEventListener("click", function () { setMode(b.dataset.mode); keepFocus(); });
    });
    setMode(modeField.value);

    function showAnswer(answer) {
      answerBox.className = "answer " + answer.outcome;
      answerBox.textContent = answer.message;
      beep(answer.outcome);
    }

    function cell(text, cls) {
      var td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      return td;
    }

    function fillExpected(list) {
      rows.textContent = "";
      list.forEach(function (p) {
        var tr = document.createElement("tr");
        tr.dataset.piece = p.id;
        tr.className = "st-" + p.status;
        tr.append(cell(p.code, "code"), cell(p.product), cell(p.store), cell(p.status_label));
        rows.append(tr);
      });
    }

    function apply(answer) {
      if (answer.mode && answer.mode !== modeField.value) setMode(answer.mode);
      if (answer.batch && answer.mode === "receive") {
        batchField.value = answer.batch.id;
        document.getElementById("batch-code").textContent = answer.batch.code;
        document.getElementById("batch-store").textContent = answer.batch.store;
        document.getElementById("batch-status").textContent = answer.batch.status_label;
        receiving.hidden = false;
        setMode("receive");
      }
      if (answer.expected) fillExpected(answer.expected);
      if (answer.counts) {
        ["expected", "received", "missing", "unexpected"].forEach(function (k) {
          document.getElementById("count-" + k).textContent = answer.counts[k];
        });
      }
      if (answer.piece) {
        var row = rows.querySelector('tr[data-piece="' + answer.piece.id + '"]');
        rows.querySelectorAll("tr.just-scanned").forEach(function (r) { r.classList.remove("just-scanned"); });
        if (row) {
          row.className = "st-" + answer.piece.status + " just-scanned";
          row.lastElementChild.textContent = answer.piece.status_label;
          row.scrollIntoView({ block: "nearest" });
        }
      }
      if (answer.return_batch) {
        var link = document.getElementById("pack-link");
        link.textContent = answer.return_batch.code;
        link.href = root.dataset.returnUrl.replace(/0$/, answer.return_batch.id);
        document.getElementById("pack-info").textContent = answer.return_batch.store + " · " + answer.return_batch.count;
        packing.dataset.filled = "1";
        packing.hidden = false;
      }
      if (answer.register_unexpected) {
        document.getElementById("unexpected-code").value = answer.register_unexpected.code;
        document.getElementById("unexpected-code-text").textContent = answer.register_unexpected.code;
        document.getElementById("unexpected-batch").value = answer.register_unexpected.batch_id;
        unexpected.hidden = false;
      }
      showAnswer(answer);
      if (answer.go_to) window.location.assign(answer.go_to);
      else if (document.activeElement !== input) keepFocus();
    }

    function post(url, body, headers) {
      headers["X-CSRFToken"] = csrfToken();
      headers["Accept"] = "application/json";
      return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .catch(function () { return { outcome: "refused", message: root.dataset.textNetwork }; });
    }

    // Scans are sent one after another, in the order they were made: a fast scanner
    // never overtakes the answer that sets the current batch.
    function send(payload) {
      queue.push(payload);
      if (!busy) next();
    }
    function next() {
      var payload = queue.shift();
      if (!payload) { busy = false; return; }
      busy = true;
      payload.mode = modeField.value;
      payload.batch_id = batchField.value || null;
      post(root.dataset.scanUrl, JSON.stringify(payload), { "Content-Type": "application/json" })
        .then(apply).then(next, next);
    }

    function closeCheck() {
      if (!batchField.value) { send({ action: "close" }); return; }
      if (window.confirm(root.dataset.textCloseConfirm)) send({ action: "close" });
      keepFocus();
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value;
      input.value = "";
      if (!text.trim()) return;
      if (text.trim().toUpperCase() === "CLOSE" || text.trim() === "关闭") { closeCheck(); return; }
      send({ text: text });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); closeCheck(); }
    });
    document.getElementById("close-check").addEventListener("click", closeCheck);

    unexpected.addEventListener("submit", function (e) {
      e.preventDefault();
      post(root.dataset.unexpectedUrl, new FormData(unexpected), {}).then(function (answer) {
        if (answer.outcome === "ok") { unexpected.hidden = true; unexpected.reset(); }
        apply(answer);
        keepFocus();
      });
    });
    document.getElementById("unexpected-cancel").addEventListener("click", function () {
      unexpected.hidden = true;
      keepFocus();
    });

    camera(root, function (text) { send({ text: text }); });
    keepFocus();
  }

  // --- Camera: the browser's BarcodeDetector, else the vendored polyfill -------------
  function loadDetector(vendorUrl) {
    if ("BarcodeDetector" in window) return Promise.resolve(window.BarcodeDetector);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = vendorUrl + "ponyfill.js";
      s.onload = function () {
        var api = window.BarcodeDetectionAPI;
        // The polyfill fetches its .wasm from a CDN by default; the shop LAN has ours.
        api.prepareZXingModule({
          overrides: {
            locateFile: function (path, prefix) {
              return path.endsWith(".wasm") ? vendorUrl + path : prefix + path;
            }
          }
        });
        resolve(api.BarcodeDetector);
      };
      s.onerror = reject;
      document.head.append(s);
    });
  }

  function camera(root, onCode) {
    var button = document.getElementById("camera-button");
    var video = document.getElementById("camera-view");
    var stream = null;
    var lastCode = "", lastAt = 0;
    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
    }
    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        var box = document.getElementById("scan-answer");
        box.className = "answer refused";
        box.textContent = root.dataset.textNoCamera;
        return;
      }
      loadDetector(new URL(root.dataset.vendorUrl, window.location.href).href).then(function (Detector) {
        var detector = new Detector({ formats: ["code_128"] });
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          return video.play().then(function () {
            function tick() {
              if (!stream) return;
              detector.detect(video).then(function (found) {
                var now = Date.now();
                if (found.length && (found[0].rawValue !== lastCode || now - lastAt > 2500)) {
                  // One answer per label: the camera sees the same code many times a second.
                  lastCode = found[0].rawValue;
                  lastAt = now;
                  onCode(lastCode);
                }
              }).catch(function () {}).then(function () { setTimeout(tick, 200); });
            }
            tick();
          });
        });
      }).catch(function () {
        var box = document.getElementById("scan-answer");
        box.className = "answer refused";
        box.textContent = root.dataset.textNoCamera;
        stop();
      });
    });
  }

  // --- The grading card: 1/2/3/4 choose the grade, Enter confirms ------------------------
  function card(form) {
    var radios = form.querySelectorAll('input[name="grade"]');
    var blame = document.getElementById("blame-fields");
    var reasonField = document.getElementById("reason-field");
    var suggested = form.dataset.suggested;

    function refresh() {
      var chosen = form.querySelector('input[name="grade"]:checked');
      var scrap = chosen && (chosen.value === "scrap" || chosen.value === "exchange");
      if (blame) blame.hidden = !scrap;
      var who = form.querySelector('input[name="blame"]:checked');
      if (reasonField) reasonField.hidden = !scrap || !who || who.value === suggested;
    }
    form.addEventListener("change", function (e) {
      refresh();
      if (e.target.name === "blame" && e.target.value !== suggested) form.querySelector("textarea[name=reason]").focus();
    });
    document.addEventListener("keydown", function (e) {
      var tag = (e.target.tagName || "").toLowerCase();
      if (tag === "textarea" || (tag === "input" && e.target.type !== "radio" && e.target.type !== "checkbox") || tag === "select") return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var index = ["1", "2", "3", "4"].indexOf(e.key);
      if (index >= 0 && radios[index]) {
        e.preventDefault();
        radios[index].checked = true;
        radios[index].focus();
        refresh();
      } else if (e.key === "Enter" && form.querySelector('input[name="grade"]:checked')) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    refresh();
    if (radios[0]) radios[0].focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("station");
    if (root) station(root);
    var gradeForm = document.getElementById("grade-form");
    if (gradeForm) card(gradeForm);
  });
})();
