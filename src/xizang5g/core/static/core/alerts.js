// Alert list: select all, and the bulk-acknowledge button's count.
document.addEventListener("change", function (event) {
  if (event.target.id === "select-all") {
    document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
  }
  var any = document.querySelectorAll("input[name=ids]:checked").length;
  var button = document.getElementById("bulk-ack");
  if (button) { button.disabled = !any; button.querySelector(".count").textContent = any || ""; }
});
