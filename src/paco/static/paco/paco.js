// High-contrast toggle (e-MAG), remembered in this browser.
(function () {
  var key = "paco-contrast";
  var root = document.documentElement;
  if (localStorage.getItem(key) === "1") root.classList.add("paco-contrast");
  document.addEventListener("DOMContentLoaded", function () {
    // Tables keep their column labels on a phone: each cell gets its header's text.
    document.querySelectorAll("table.br-table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (headers[index] && !cell.hasAttribute("colspan") && !cell.dataset.label) cell.dataset.label = headers[index];
        });
      });
    });
    // gov.br header on a phone: the menu folds behind a "Menu" button (open by default without JS).
    document.querySelectorAll("[data-paco-menu]").forEach(function (button) {
      var menu = document.getElementById(button.getAttribute("aria-controls"));
      if (!menu) return;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("paco-menu-open", open);
      });
    });
    document.querySelectorAll("[data-paco-contrast]").forEach(function (button) {
      button.setAttribute("aria-pressed", root.classList.contains("paco-contrast") ? "true" : "false");
      button.addEventListener("click", function () {
        var on = root.classList.toggle("paco-contrast");
        localStorage.setItem(key, on ? "1" : "0");
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
  });
  // File size checked before upload (the server checks again): paco.forms sets data-max-bytes.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "file" || !input.dataset.maxBytes) return;
    var limit = parseInt(input.dataset.maxBytes, 10);
    var big = Array.prototype.filter.call(input.files || [], function (file) { return file.size > limit; });
    var box = input.closest(".paco-field") || input.parentNode;
    var old = box.querySelector(".paco-size-error");
    if (old) old.remove();
    input.setCustomValidity("");
    if (!big.length) return;
    var message = (input.dataset.maxMessage || "%s").replace("%s", big.map(function (f) { return f.name; }).join(", "));
    input.value = "";
    input.setCustomValidity(message);
    var span = document.createElement("span");
    span.className = "feedback danger paco-size-error";
    span.setAttribute("role", "alert");
    span.textContent = message;
    box.appendChild(span);
  });
  // Signup: the portal address follows the chosen city's name until the person edits it.
  function slugify(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 42);
  }
  document.addEventListener("input", function (event) {
    if (event.target && event.target.dataset && event.target.dataset.pacoSlugFrom) event.target.dataset.pacoEdited = "1";
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.tagName !== "SELECT" || !select.id) return;
    document.querySelectorAll('[data-paco-slug-from="' + select.id + '"]').forEach(function (input) {
      if (input.dataset.pacoEdited && input.value) return;
      var option = select.options[select.selectedIndex];
      input.value = option && option.value ? slugify(option.text) : "";
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
