// Polls a background job's progress; reloads the page when it ends (to show the file or the error).
(function () {
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.finished === "1") return;
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");
  var state = document.getElementById("job-state");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total || 1;
        bar.value = data.done;
        count.textContent = data.done + " / " + data.total + " 行";
        state.textContent = data.label;
        if (data.finished) window.location.reload();
        else setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
