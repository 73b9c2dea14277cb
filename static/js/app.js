// billpay: dialog show/close and small behaviours, hooked to data-* attributes.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog-open]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialogOpen);
    if (dialog) { event.preventDefault(); dialog.showModal(); }
  }
  const closer = event.target.closest("[data-dialog-close]");
  if (closer) { closer.closest("dialog")?.close(); }
});

// Dialogs the server sends (the pay dialog): shown as soon as htmx inserts them, removed on close.
document.addEventListener("htmx:load", (event) => {
  const dialog = event.target.closest?.("dialog[data-dialog-auto]") ||
    event.target.querySelector?.("dialog[data-dialog-auto]");
  if (dialog && !dialog.open) {
    dialog.addEventListener("close", () => dialog.remove(), { once: true });
    dialog.showModal();
  }
});

// A select whose options htmx reloads ([data-keep-choice]) keeps the choice made while the request was
// on its way (the tax rate picked right after the account), when the new options still offer it.
document.addEventListener("htmx:beforeSwap", (event) => {
  const select = event.detail.target;
  if (select instanceof HTMLSelectElement && select.matches("[data-keep-choice]")) {
    select.dataset.keptChoice = select.value;
  }
});
document.addEventListener("htmx:afterSwap", (event) => {
  const select = event.detail.target;
  if (!(select instanceof HTMLSelectElement) || select.dataset.keptChoice === undefined) return;
  const kept = select.dataset.keptChoice;
  delete select.dataset.keptChoice;
  if (kept && Array.from(select.options).some((option) => option.value === kept)) select.value = kept;
});

// The top bar's Menu button (base.html): on narrow screens the navigation folds behind it. Without
// JavaScript the button stays hidden and app.css lets the navigation wrap instead.
(function () {
  const button = document.querySelector("[data-menu-button]");
  const nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  const setOpen = (open) => button.setAttribute("aria-expanded", String(open));
  button.hidden = false;
  button.closest(".topbar").classList.add("has-menu");
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
