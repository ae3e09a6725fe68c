// The progress page of a background job (web/templates/jobs/progress.html): poll the job's state and
// update the bar; once the job is done or failed, reload so the server shows the file or the error.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") {
    return;
  }
  var bar = document.getElementById("job-bar");
  var label = document.getElementById("job-label");
  var percent = document.getElementById("job-percent");
  var delay = 700;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    percent.textContent = state.percent + "%";
    label.textContent = state.message || state.status_text + "…";
  }

  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (reply) {
        if (!reply.ok) { throw new Error(reply.status); }
        return reply.json();
      })
      .then(function (state) {
        if (state.finished) {
          window.location.reload();
          return;
        }
        show(state);
        delay = 700;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // The server is restarting or the network dropped: try again, less often.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
}());
