// A background job's page: poll its progress until it is finished, then offer the file.
// The job lives in the database, so a reload (or coming back later) shows where it is.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box) return;
  var url = box.getAttribute("data-job-progress");
  var bar = box.querySelector("[data-job-bar]");
  var percent = box.querySelector("[data-job-percent]");
  var state = box.querySelector("[data-job-state]");
  var error = box.querySelector("[data-job-error]");
  var ready = box.querySelector("[data-job-ready]");
  var wait = box.querySelector("[data-job-wait]");
  var link = box.querySelector("[data-job-download]");
  var delay = 1000;

  function show(job) {
    bar.value = job.progress;
    percent.textContent = job.progress;
    state.textContent = job.state_label;
    if (job.error) { error.textContent = job.error; error.hidden = false; }
    if (job.ready && job.download) {
      link.href = job.download;
      if (job.file_name) link.textContent = link.textContent.replace(/\S*$/, job.file_name);
      ready.hidden = false;
    }
    var finished = ["done", "failed", "expired"].indexOf(job.state) >= 0;
    wait.hidden = finished;
    return finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (job) {
        delay = 1000;
        if (!show(job)) setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }

  if (!wait.hidden) setTimeout(poll, delay);
})();
