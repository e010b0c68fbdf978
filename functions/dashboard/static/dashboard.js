// Progressive enhancement only: every page works without this file.
// - "Copy" buttons copy the text of the field they name (data-copy="ID").
// - The business switcher submits as soon as another business is picked.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});
document.querySelectorAll("[data-copy]").forEach((button) => { button.hidden = false; });
// With this script the switcher needs no button (it submits on change).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  const button = select.form && select.form.querySelector("button[type=submit]");
  if (button) button.hidden = true;
});
