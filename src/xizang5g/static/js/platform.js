// Behaviour every page shares, kept out of the markup (the Content-Security-Policy allows no
// inline script): selects that submit their form, confirmations, "go back" buttons.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    var back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    var asking = event.target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
