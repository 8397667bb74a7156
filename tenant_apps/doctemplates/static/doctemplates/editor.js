/* The rich-text editor of document templates (Quill 2, served from our static files).

   The form's textarea stays in the form and carries the HTML; Quill edits it in place of the
   textarea, limited to what the server accepts (paragraphs, headings 2 and 3, bold, italic,
   underline, lists, quotes; no attributes). The merge-field list inserts "{{ grupo.campo }}" at the
   cursor. The server checks and sanitises every body anyway (nh3, the sandbox's field list). */
(function () {
  "use strict";
  var FORMATS = ["bold", "italic", "underline", "header", "list", "blockquote"];

  function semanticHtml(quill) {
    if (!quill.getText().trim()) { return ""; }
    // Quill writes spaces as &nbsp;: plain spaces keep "{{ caso.nup }}" a merge field
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }

  function clampHeadings(node, delta) {
    delta.ops.forEach(function (op) {
      var header = op.attributes && op.attributes.header;
      if (header) { op.attributes.header = Math.min(Math.max(Number(header), 2), 3); }
    });
    return delta;
  }

  function start() {
    var textarea = document.querySelector("textarea[data-rich-text]");
    if (!textarea || typeof window.Quill === "undefined") { return; }
    var holder = document.createElement("div");
    holder.className = "paco-rich-editor";
    textarea.insertAdjacentElement("afterend", holder);
    var quill = new window.Quill(holder, {
      theme: "snow",
      formats: FORMATS,
      modules: {
        toolbar: [
          [{ header: [2, 3, false] }],
          ["bold", "italic", "underline"],
          [{ list: "ordered" }, { list: "bullet" }],
          ["blockquote"],
          ["clean"]
        ]
      }
    });
    quill.clipboard.addMatcher(window.Node.ELEMENT_NODE, clampHeadings);
    if (textarea.value.trim()) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value, "silent");
    }
    textarea.classList.add("paco-rich-source");
    textarea.style.display = "none";
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", label ? label.textContent.trim() : "Texto");
    if (textarea.getAttribute("aria-describedby")) {
      quill.root.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    if (label) { label.addEventListener("click", function () { quill.focus(); }); }
    // the toolbar's buttons get names a screen reader can say
    var names = {
      "ql-bold": "Negrito", "ql-italic": "Itálico", "ql-underline": "Sublinhado",
      "ql-blockquote": "Citação", "ql-clean": "Limpar formatação"
    };
    var toolbar = holder.previousElementSibling;
    if (toolbar && toolbar.classList.contains("ql-toolbar")) {
      toolbar.setAttribute("role", "toolbar");
      toolbar.setAttribute("aria-label", "Formatação do texto");
      toolbar.querySelectorAll("button").forEach(function (button) {
        var name = names[button.className.split(" ")[0]];
        if (button.classList.contains("ql-list")) {
          name = button.value === "ordered" ? "Lista numerada" : "Lista com marcadores";
        }
        if (name) { button.setAttribute("aria-label", name); button.title = name; }
      });
      // Quill's link box (hidden until used) has its prompt in CSS only: give it a name
      holder.querySelectorAll(".ql-tooltip input").forEach(function (input) {
        input.setAttribute("aria-label", "Endereço");
      });
      toolbar.querySelectorAll(".ql-picker-label").forEach(function (item) {
        item.setAttribute("aria-label", "Estilo: parágrafo ou título");
      });
    }
    function sync() { textarea.value = semanticHtml(quill); }
    quill.on("text-change", sync);
    textarea.form.addEventListener("submit", sync);

    var picker = document.querySelector("select[data-merge-field-picker]");
    var insert = document.querySelector("button[data-merge-field-insert]");
    if (picker && insert) {
      insert.hidden = false;
      var lastRange = { index: quill.getLength() - 1, length: 0 };
      // "editor-change" also reports the selection moved by typing (which "selection-change" does not)
      quill.on("editor-change", function (name, range) {
        if (name === "selection-change" && range) { lastRange = range; }
      });
      insert.addEventListener("click", function () {
        if (!picker.value) { picker.focus(); return; }
        var text = "{{ " + picker.value + " }}";
        quill.deleteText(lastRange.index, lastRange.length, "user");
        quill.insertText(lastRange.index, text, "user");
        quill.focus();
        quill.setSelection(lastRange.index + text.length, 0, "user");
        sync();
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
