/* What every scanning page shares (the bench's scan station, the store's weekly batch and
   return parcels): answers without a reload, a tone per outcome, a running log of the last
   answers, the camera, and scans that are never lost.

   A scan is sent with an Idempotency-Key. When the server cannot be reached (the Wi-Fi is
   down, the server restarts) the scan is kept in this browser (localStorage), shown as
   waiting, and sent again — in the order the scans were made — as soon as the server
   answers. A scan that did reach the server before the line dropped is answered the second
   time with its first answer (app/idempotency.py): it is applied once.

   Plain JavaScript, no inline script (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  // --- Sounds: one short tone per outcome, made on the spot (no audio files). ---------
  var audio = null;
  var TONES = {
    ok: [[880, 0.09]],
    warning: [[520, 0.12], [520, 0.12]],
    refused: [[200, 0.45]],
    waiting: [[660, 0.06], [440, 0.06]]
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

  function newKey() {
    // crypto.randomUUID needs a secure page; getRandomValues works on the shop's plain HTTP too.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // --- The running log: the last answers, newest first ---------------------------------
  function Log(list, size) {
    size = size || 10;  // short enough never to need a scroll bar (nor a tab stop)
    function entry(text) {
      var li = document.createElement("li");
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = text;
      var said = document.createElement("span");
      said.className = "said";
      li.append(code, " ", said);
      list.prepend(li);
      while (list.children.length > size) list.lastElementChild.remove();
      return li;
    }
    function set(li, outcome, message) {
      if (!li) return;
      li.className = outcome;
      li.querySelector(".said").textContent = message;
    }
    return { entry: entry, set: set };
  }

  // --- Sending: in order, once, kept while the server cannot be reached ---------------
  var RETRY_MS = [1000, 2000, 4000, 8000, 15000];

  function Sender(options) {
    // options: url, storageKey, texts {waiting, pending, paused}, onAnswer(answer, item),
    // onWaiting(n), prepare(body) (fills in what the page knows when the scan is first sent),
    // queueable(body) (whether a scan may wait: a scan that only opens a page may not).
    var queue = [];
    var busy = false, paused = false, offline = false, attempts = 0, timer = null;
    var entries = {};

    function save() {
      try {
        if (queue.length) window.localStorage.setItem(options.storageKey, JSON.stringify(queue));
        else window.localStorage.removeItem(options.storageKey);
      } catch (e) { /* private mode or full: the scans still wait in this page */ }
      if (options.onWaiting) options.onWaiting(queue.filter(function (i) { return i.waiting; }).length);
    }

    function restore() {
      var kept = [];
      try { kept = JSON.parse(window.localStorage.getItem(options.storageKey) || "[]"); } catch (e) { kept = []; }
      if (!Array.isArray(kept)) kept = [];
      kept.forEach(function (item) {
        if (!item || !item.key || !item.body) return;
        item.waiting = true;
        queue.push(item);
        if (options.log) {
          entries[item.key] = options.log.entry(item.text || "");
          options.log.set(entries[item.key], "waiting", options.texts.waiting);
        }
      });
      save();
      if (queue.length) pump();
    }

    function retryLater() {
      clearTimeout(timer);
      timer = setTimeout(function () { paused = false; pump(); }, RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)]);
      attempts += 1;
    }

    function markWaiting(item, message) {
      if (!item.waiting) beep("waiting");
      item.waiting = true;
      if (options.log) options.log.set(entries[item.key], "waiting", message);
    }

    function hold(item, message) {
      // Not reached (or not answered): the scan stays, marked waiting, and is sent again later;
      // so do the scans behind it (they are sent in the order they were made).
      busy = false;
      if (!options.queueable || options.queueable(item.body)) {
        offline = true;
        message = message || options.texts.waiting;
        queue.forEach(function (queued) { markWaiting(queued, message); });
        save();
        if (options.onHeld) options.onHeld(item, message);
        retryLater();
      } else {
        queue.shift();
        save();
        answered({ outcome: "refused", code: "network", message: options.texts.network }, item);
        pump();
      }
    }

    function answered(answer, item) {
      attempts = 0;
      offline = false;
      if (options.log) options.log.set(entries[item.key], answer.outcome, answer.message);
      delete entries[item.key];
      beep(answer.outcome);
      options.onAnswer(answer, item);
    }

    function pump() {
      if (busy || paused || !queue.length) return;
      var item = queue[0];
      busy = true;
      if (!item.prepared) {
        item.body = options.prepare ? options.prepare(item.body) : item.body;
        item.prepared = true;  // retried as it was first sent: the same body with the same key
        save();
      }
      fetch(options.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(),
          "Idempotency-Key": item.key
        },
        body: JSON.stringify(item.body)
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status > 500 || response.status === 429 || response.status === 408) {
          return hold(item);  // a proxy says the app is away, or wait a little: try again later
        }
        if (response.redirected || type.indexOf("application/json") < 0) {
          // The log-in ended (the answer is the log-in page): keep the scans for after.
          paused = true;
          return hold(item, options.texts.paused);
        }
        return response.json().then(function (answer) {
          if (answer && answer.outcome) {
            queue.shift();
            save();
            busy = false;
            answered(answer, item);
            pump();
          } else if (response.status === 400 || response.status === 401 || response.status === 403) {
            // The page is out of date (its form token) or the log-in ended: keep the scans.
            paused = true;
            hold(item, (answer && answer.error && answer.error.message) || options.texts.paused);
          } else {
            // Answered but not a scan's answer (the app's own error, 404…): said, not retried,
            // so that one bad scan never holds up the ones behind it.
            queue.shift();
            save();
            busy = false;
            answered({ outcome: "refused", code: "error", message: (answer && answer.error && answer.error.message) || "" }, item);
            pump();
          }
        });
      }).catch(function () { hold(item); });
    }

    function send(body, text) {
      var item = { key: newKey(), body: body, text: text || "", made: Date.now() };
      queue.push(item);
      if (options.log) entries[item.key] = options.log.entry(item.text);
      if (offline) markWaiting(item, options.texts.waiting);  // behind scans already waiting
      save();
      pump();
      return item;
    }

    window.addEventListener("online", function () { paused = false; attempts = 0; pump(); });
    restore();
    return { send: send, waiting: function () { return queue.length; } };
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

  // button: the Camera button (data-vendor-url: the polyfill's folder); video: where the
  // picture shows; onCode(text) gets each code once; onError() when no camera can be used.
  function camera(button, video, onCode, onError) {
    var stream = null;
    var lastCode = "", lastAt = 0;
    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      button.setAttribute("aria-pressed", "false");
    }
    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { onError(); return; }
      loadDetector(new URL(button.dataset.vendorUrl, window.location.href).href).then(function (Detector) {
        var detector = new Detector({ formats: ["code_128"] });
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          button.setAttribute("aria-pressed", "true");
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
      }).catch(function () { stop(); onError(); });
    });
    return { stop: stop };
  }

  // --- The store's scanning pages: <form data-scan-form> -------------------------------
  // The form's action answers JSON (app/store/routes.py); the answer says what changes on
  // the page: counts ([data-count=name]), a row put on top of [data-scan-rows] (replacing
  // the one with the same data-row), elements to remove, to show, to fill, links to set.
  function applyToPage(answer) {
    var counts = answer.counts || {};
    Object.keys(counts).forEach(function (name) {
      document.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) { el.textContent = counts[name]; });
    });
    if (answer.row) {
      var rows = document.querySelector("[data-scan-rows]");
      if (rows) {
        var holder = document.createElement("tbody");
        holder.innerHTML = answer.row.html;  // rendered by the server's own template, escaped there
        var row = holder.firstElementChild;
        var old = rows.querySelector('[data-row="' + answer.row.key + '"]');
        if (old) old.remove();
        rows.querySelectorAll("tr.empty").forEach(function (r) { r.remove(); });
        rows.querySelectorAll("tr.just-scanned").forEach(function (r) { r.classList.remove("just-scanned"); });
        if (row) { row.classList.add("just-scanned"); rows.prepend(row); }
      }
    }
    (answer.remove || []).forEach(function (id) { var el = document.getElementById(id); if (el) el.remove(); });
    (answer.show || []).forEach(function (id) { var el = document.getElementById(id); if (el) el.hidden = false; });
    var fill = answer.fill || {};
    Object.keys(fill).forEach(function (id) { var el = document.getElementById(id); if (el) el.textContent = fill[id]; });
    var links = answer.links || {};
    Object.keys(links).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      if (el.tagName === "FORM") el.action = links[id]; else el.href = links[id];
    });
  }

  function scanForm(form) {
    var input = form.querySelector("input[name=code]");
    var answerBox = document.getElementById("scan-answer");
    var waitingBox = document.getElementById("scan-waiting");
    var logList = document.getElementById("scan-log");
    var log = logList ? Log(logList) : null;
    function show(outcome, message) {
      if (!answerBox) return;
      answerBox.className = "answer " + outcome;
      answerBox.textContent = message;
    }
    var sender = Sender({
      url: form.action,
      storageKey: form.dataset.scanQueue,
      log: log,
      texts: { waiting: form.dataset.textWaiting, paused: form.dataset.textPaused, network: form.dataset.textNetwork },
      queueable: function () { return form.dataset.scanWaits === "1"; },
      onWaiting: function (n) {
        if (!waitingBox) return;
        waitingBox.hidden = n === 0;
        waitingBox.textContent = (form.dataset.textWaitingCount || "").replace("%(n)d", String(n));
      },
      onHeld: function (item, message) { show("waiting", message); },
      onAnswer: function (answer, item) {
        show(answer.outcome, answer.message);
        applyToPage(answer);
        // A scan answered at once may open the next page; one that waited may not.
        if (answer.go_to && !item.waiting) window.location.assign(answer.go_to);
      }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      input.value = "";
      if (!text) return;
      sender.send({ code: text }, text);
      input.focus();
    });
    var button = form.querySelector("[data-camera]");
    var video = document.getElementById("camera-view");
    if (button && video) {
      camera(button, video, function (text) { sender.send({ code: text }, text); }, function () {
        show("refused", button.dataset.textNoCamera);
      });
    }
  }

  window.Scanning = { beep: beep, Log: Log, Sender: Sender, camera: camera, csrfToken: csrfToken };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-scan-form]").forEach(scanForm);
  });
})();
