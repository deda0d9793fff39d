// The 打印 button of the printable documents: opens the browser's print dialog (A4 layout in
// print.css). A file of its own rather than an inline handler, for the Content-Security-Policy.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (!button) return;
    event.preventDefault();
    window.print();
  });
})();
