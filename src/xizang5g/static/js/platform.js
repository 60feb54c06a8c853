// Behaviour every page shares, kept out of the markup (the Content-Security-Policy allows no
// inline script): selects that submit their form, confirmations, "go back" buttons.
(function () {
  "use strict";
  // A select with data-depends-on="<id of another select>" offers only the options whose
  // data-parent is the other's value (a county under its prefecture); an option no longer
  // offered is unselected.
  function filterDependents(parent) {
    document.querySelectorAll('select[data-depends-on="' + parent.id + '"]').forEach(function (child) {
      Array.prototype.forEach.call(child.options, function (option) {
        var owner = option.getAttribute("data-parent");
        var hidden = owner !== null && parent.value !== "" && owner !== parent.value;
        option.hidden = hidden;
        option.disabled = hidden;
        if (hidden && option.selected) { child.value = ""; }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-depends-on]").forEach(function (child) {
      var parent = document.getElementById(child.getAttribute("data-depends-on"));
      if (parent) { filterDependents(parent); }
    });
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
    if (field.id && field.tagName === "SELECT") { filterDependents(field); }
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
