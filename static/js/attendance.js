// Attendance pages (subsidies/attendance_views.py): ticking a holder's days fills in their
// number of days; 全部出勤 / 全部清除 tick or clear the month. The server judges what is sent.
(function () {
  function holderOf(node) { return node.closest(".holder"); }
  function count(holder) {
    var input = holder.querySelector(".days-input");
    if (!input) return;
    input.value = holder.querySelectorAll(".days-grid input[type=checkbox]:checked").length;
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box instanceof HTMLInputElement && box.type === "checkbox" && box.closest(".days-grid")) count(holderOf(box));
  });
  document.addEventListener("click", function (event) {
    var button = event.target;
    if (!(button instanceof HTMLButtonElement) || !button.hasAttribute("data-days")) return;
    var holder = holderOf(button);
    var on = button.getAttribute("data-days") === "all";
    holder.querySelectorAll(".days-grid input[type=checkbox]").forEach(function (b) { b.checked = on; });
    count(holder);
  });
})();
