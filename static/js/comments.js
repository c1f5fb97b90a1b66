// Enhancements for commenting; every flow works without this file.
// 1. Select words in the clause, choose "Comment on this": the quote field is filled.
// 2. A live preview of the comment's Markdown, rendered and sanitised by the server.
document.addEventListener("DOMContentLoaded", () => {
  const clause = document.getElementById("clause_text");
  const form = document.getElementById("comment-form");
  const quoteField = form && form.querySelector("textarea[name=quote]");
  if (clause && quoteField) {
    const hint = document.querySelector(".quote-hint");
    if (hint) hint.hidden = false;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "quote-button";
    button.textContent = "Comment on this";
    button.hidden = true;
    clause.after(button);
    let selected = "";
    document.addEventListener("selectionchange", () => {
      const selection = document.getSelection();
      const inside = selection && selection.rangeCount && clause.contains(selection.anchorNode) && clause.contains(selection.focusNode);
      selected = inside ? selection.toString().replace(/\s+/g, " ").trim() : "";
      if (selected) button.hidden = false;
    });
    button.addEventListener("click", () => {
      if (!selected) return;
      quoteField.value = selected;
      form.scrollIntoView({ behavior: "smooth", block: "start" });
      form.querySelector("textarea[name=body]").focus();
    });
  }

  for (const commentForm of document.querySelectorAll("form.comment-form[data-preview-url]")) {
    const body = commentForm.querySelector("textarea[name=body]");
    const box = commentForm.querySelector(".live-preview");
    const output = box && box.querySelector(".preview-output");
    const token = commentForm.querySelector("input[name=csrfmiddlewaretoken]");
    if (!body || !output || !token) continue;
    let timer = null;
    body.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const data = new FormData();
        data.append("body", body.value);
        const response = await fetch(commentForm.dataset.previewUrl, {
          method: "POST", body: data, headers: { "X-CSRFToken": token.value }, credentials: "same-origin",
        });
        if (response.ok) {
          output.innerHTML = await response.text();  // sanitised by the server (nh3)
          box.hidden = !body.value.trim();
        }
      }, 400);
    });
  }
});
