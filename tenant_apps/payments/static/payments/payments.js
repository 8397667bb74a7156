/* "Copiar código Pix": copies the BR Code of a guide (shown as text, not in a form field) and says
   so to screen readers; without the clipboard API, the code is selected for the person to copy. */
(function () {
  "use strict";
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".paco-copy") : null;
    if (!button) { return; }
    var node = document.getElementById(button.getAttribute("data-copy-target"));
    if (!node) { return; }
    var text = node.textContent.trim();
    var status = button.parentNode.querySelector(".paco-copy-status");
    var done = function () { if (status) { status.textContent = button.getAttribute("data-copied"); } };
    var fallback = function () {
      selectText(node);
      try { if (document.execCommand("copy")) { done(); } } catch (ignored) { /* selected: the person copies */ }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
