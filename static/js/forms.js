// Forms: ask before anything irreversible (data-confirm="…"), and send a form only once
// (data-once, and every confirmed form): its buttons are disabled once it is on its way.
// No inline handlers, so a content-security policy can forbid inline script.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (question || form.hasAttribute("data-once")) {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });
})();
