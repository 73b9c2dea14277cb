// billpay: drag-and-drop onto [data-dropzone] forms, with upload progress. The form still posts
// without JavaScript; with it, htmx sends the files and this only fills the input and shows progress.
(function () {
  if (window.billpayDropzones) return;
  window.billpayDropzones = true;
  document.addEventListener("dragover", (event) => {
    const zone = event.target.closest("[data-dropzone]");
    if (zone) { event.preventDefault(); zone.classList.add("dragging"); }
  });
  document.addEventListener("dragleave", (event) => {
    const zone = event.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    const input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    zone.requestSubmit();
  });
  document.addEventListener("htmx:xhr:progress", (event) => {
    const zone = event.target.closest("[data-dropzone]");
    const bar = zone && zone.querySelector("[data-upload-progress]");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });
})();
