// Live preview of a clause's Markdown while a steward types. The "Preview" button does the same
// without JavaScript; the server renders and sanitises either way.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-preview-url]");
  const output = document.getElementById("preview_output");
  if (!form || !output) return;
  const body = form.querySelector("textarea[name=body]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  let timer = null;
  const update = async () => {
    const data = new FormData();
    data.append("body", body.value);
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token.value },
      credentials: "same-origin",
    });
    if (response.ok) output.innerHTML = await response.text();
  };
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 400);
  });
});
