// High-contrast toggle (e-MAG), remembered in this browser.
(function () {
  var key = "paco-contrast";
  var root = document.documentElement;
  if (localStorage.getItem(key) === "1") root.classList.add("paco-contrast");
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-paco-contrast]").forEach(function (button) {
      button.setAttribute("aria-pressed", root.classList.contains("paco-contrast") ? "true" : "false");
      button.addEventListener("click", function () {
        var on = root.classList.toggle("paco-contrast");
        localStorage.setItem(key, on ? "1" : "0");
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
  });
  document.body && document.body.addEventListener && document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
})();

// A <select data-paco-autosubmit> submits its form when changed (no inline handler: the
// Content-Security-Policy refuses inline event handlers).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("[data-paco-autosubmit]") && target.form) target.form.submit();
});
