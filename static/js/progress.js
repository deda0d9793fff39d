// Polls long work (a payroll run, a background job) while it runs and moves its bar; reloads the
// page when the work ends, to show the result or the error. Markup: a box with data-poll (the
// JSON address: state label, done, total, finished), data-running="1" and data-unit, holding
// [data-progress-bar], [data-progress-count] and [data-progress-state] (the latter anywhere).
(function () {
  var box = document.querySelector("[data-poll]");
  if (!box || box.dataset.running !== "1") return;
  var bar = box.querySelector("[data-progress-bar]");
  var count = document.querySelector("[data-progress-count]");
  var state = document.querySelector("[data-progress-state]");
  function poll() {
    fetch(box.dataset.poll, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total || 1;
        bar.value = data.done;
        if (count) count.textContent = data.done + " / " + data.total + " " + box.dataset.unit;
        if (state) state.textContent = data.label;
        if (data.finished) window.location.reload();
        else setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
