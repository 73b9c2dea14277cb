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
