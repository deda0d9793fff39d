// Polls a run's progress while it computes; reloads the page when the computation ends.
(function () {
  var box = document.getElementById("run-progress");
  if (!box || box.dataset.state !== "computing") return;
  var bar = document.getElementById("run-bar");
  var count = document.getElementById("run-count");
  var state = document.getElementById("run-state");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total || 1;
        bar.value = data.done;
        count.textContent = data.done + " / " + data.total + " 个镇街";
        state.textContent = data.label;
        if (data.state === "computing") setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
