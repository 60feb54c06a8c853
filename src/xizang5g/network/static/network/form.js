// Network forms: Bootstrap classes on the fields Django renders.
document.querySelectorAll("form input:not([type=checkbox]), form select, form textarea").forEach(function(el){el.classList.add(el.tagName==="SELECT"?"form-select":"form-control");});
