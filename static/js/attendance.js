// The village's month (templates/subsidies/village_month.html): each holder's day boxes, shown
// only where this script runs, write the days present into the holder's one hidden presence
// field ("1" present, "0" absent, one per day) and their count into the days field; 全部出勤 /
// 全部缺勤 tick or clear the month. Without the script the days are typed. The server judges.
(function () {
  function holderOf(node) { return node.closest(".holder"); }
  function write(holder) {
    var boxes = holder.querySelectorAll(".days-grid input[type=checkbox]");
    var presence = "", present = 0;
    boxes.forEach(function (b) { presence += b.checked ? "1" : "0"; if (b.checked) present += 1; });
    holder.querySelector(".presence-input").value = presence;
    holder.querySelector(".days-input").value = present;
  }
  document.querySelectorAll(".holder .days-box").forEach(function (box) { box.hidden = false; });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box instanceof HTMLInputElement && box.type === "checkbox" && box.closest(".days-grid")) write(holderOf(box));
  });
  document.addEventListener("click", function (event) {
    var button = event.target;
    if (!(button instanceof HTMLButtonElement) || !button.hasAttribute("data-days")) return;
    var holder = holderOf(button);
    var on = button.getAttribute("data-days") === "all";
    holder.querySelectorAll(".days-grid input[type=checkbox]").forEach(function (b) { b.checked = on; });
    write(holder);
  });
})();
