/* The bench: the scan station (one input that always has the focus, answers without a
   reload) and the grading card's keys (1/2/3 choose, Enter confirms). What every scanning
   page shares — sending, waiting scans, sounds, the log, the camera — is static/js/scanning.js
   (loaded first). Plain JavaScript. */
(function () {
  "use strict";

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
    var waitingBox = document.getElementById("scan-waiting");

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

    function showAnswer(answer, sounded) {
      answerBox.className = "answer " + answer.outcome;
      answerBox.textContent = answer.message;
      if (!sounded) Scanning.beep(answer.outcome);
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

    function apply(answer, sounded) {
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
      showAnswer(answer, sounded);
      if (answer.go_to) window.location.assign(answer.go_to);
      else if (document.activeElement !== input) keepFocus();
    }

    function post(url, body, headers) {
      headers["X-CSRFToken"] = Scanning.csrfToken();
      headers["Accept"] = "application/json";
      return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .catch(function () { return { outcome: "refused", message: root.dataset.textNetwork }; });
    }

    // Scans go one after another, in the order they were made (a fast scanner never
    // overtakes the answer that sets the current batch), each with an Idempotency-Key; those
    // made while the server cannot be reached wait in this browser and go when it answers.
    // Opening a card (grade mode) cannot wait: that scan is refused and said so.
    var sender = Scanning.Sender({
      url: root.dataset.scanUrl,
      storageKey: root.dataset.queueKey,
      log: Scanning.Log(document.getElementById("scan-log")),
      texts: { waiting: root.dataset.textWaiting, paused: root.dataset.textPaused, network: root.dataset.textNetwork },
      prepare: function (body) {
        // Filled when the scan is first sent, after the answers to the scans before it: a
        // slip's answer sets the parcel (and the mode) for the pieces scanned right after.
        body.mode = modeField.value;
        body.batch_id = batchField.value || null;
        return body;
      },
      queueable: function (body) { return body.mode !== "grade"; },
      onWaiting: function (n) {
        waitingBox.hidden = n === 0;
        waitingBox.textContent = root.dataset.textWaitingCount.replace("%(n)d", String(n));
      },
      onHeld: function (item, message) {
        answerBox.className = "answer waiting";
        answerBox.textContent = (item.text ? item.text + ": " : "") + message;
      },
      onAnswer: function (answer, item) {
        if (item.waiting) delete answer.go_to;  // a card opens only for a scan answered at once
        apply(answer, true);
      }
    });
    function send(payload, text) { sender.send(payload, text); }

    function closeCheck() {
      if (!batchField.value && !sender.waiting()) { send({ action: "close" }, "CLOSE"); return; }
      if (window.confirm(root.dataset.textCloseConfirm)) send({ action: "close" }, "CLOSE");
      keepFocus();
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value;
      input.value = "";
      if (!text.trim()) return;
      if (text.trim().toUpperCase() === "CLOSE" || text.trim() === "关闭") { closeCheck(); return; }
      send({ text: text }, text.trim());
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

    Scanning.camera(document.getElementById("camera-button"), document.getElementById("camera-view"),
      function (text) { send({ text: text }, text); },
      function () { showAnswer({ outcome: "refused", message: root.dataset.textNoCamera }); });
    keepFocus();
  }

  // --- The grading card: 1/2/3 choose the grade, Enter confirms ------------------------
  function card(form) {
    var radios = form.querySelectorAll('input[name="grade"]');
    var blame = document.getElementById("blame-fields");
    var reasonField = document.getElementById("reason-field");
    var suggested = form.dataset.suggested;

    function refresh() {
      var chosen = form.querySelector('input[name="grade"]:checked');
      var scrap = chosen && chosen.value === "scrap";
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
      var index = ["1", "2", "3"].indexOf(e.key);
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

  // --- The repair card by keyboard: focus on the first operation; 1–9 tick an operation,
  // typing its code or a name (either language) goes to it, Space ticks, the arrows move;
  // the operations are one Tab stop, then the minutes, the parts (quantity 1 already), the
  // note; Enter saves from anywhere but the note. One operation, the minutes and one part:
  // 1, Tab, 2, 0, Tab, a letter of the part, Enter — seven keys.
  function repairCard(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="operations"]'));
    var current = 0, typed = "", typedAt = 0;

    function namesOf(box) {
      var label = box.closest("label"), key = label.querySelector("kbd");
      var text = label.textContent.replace(key ? key.textContent : "", "");
      return text.split("·").map(function (s) { return s.trim().toLowerCase(); }).concat([box.value.toLowerCase()]);
    }
    function focusAt(i) {
      current = i;
      boxes.forEach(function (b, n) { b.tabIndex = n === i ? 0 : -1; });
      boxes[i].focus();
    }
    boxes.forEach(function (b, n) {
      b.addEventListener("focus", function () { if (current !== n) focusAt(n); });
    });

    form.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var tag = e.target.tagName;
      if (e.key === "Enter") {
        if (tag === "TEXTAREA" || tag === "BUTTON") return;
        e.preventDefault();
        form.requestSubmit();
        return;
      }
      var at = boxes.indexOf(e.target);
      if (at < 0) return;
      if (e.key === "ArrowDown" || e.key === "ArrowRight") {
        e.preventDefault();
        focusAt((at + 1) % boxes.length);
      } else if (e.key === "ArrowUp" || e.key === "ArrowLeft") {
        e.preventDefault();
        focusAt((at + boxes.length - 1) % boxes.length);
      } else if (/^[1-9]$/.test(e.key) && boxes[Number(e.key) - 1]) {
        e.preventDefault();
        var box = boxes[Number(e.key) - 1];
        box.checked = !box.checked;
        focusAt(Number(e.key) - 1);
      } else if (e.key.length === 1 && e.key !== " ") {
        e.preventDefault();
        var now = Date.now();
        typed = (now - typedAt < 1000 ? typed : "") + e.key.toLowerCase();
        typedAt = now;
        for (var k = 0; k < boxes.length; k++) {
          var i = (at + k + (typed.length === 1 ? 1 : 0)) % boxes.length;
          if (namesOf(boxes[i]).some(function (name) { return name.indexOf(typed) === 0; })) { focusAt(i); break; }
        }
      }
    });
    if (boxes.length) focusAt(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("station");
    if (root) station(root);
    var gradeForm = document.getElementById("grade-form");
    if (gradeForm) card(gradeForm);
    var repairForm = document.getElementById("repair-form");
    if (repairForm) repairCard(repairForm);
  });
})();
