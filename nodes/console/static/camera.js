// The pages that check a mark with a phone (patrol, platform check). A photo taken
// with the phone's camera is sent as soon as it is taken where its input says
// data-autosubmit (without JavaScript, the form's own button sends it). Where the
// browser offers the live camera, frames are sent to the form's data-read address for
// the node to read until one holds a QR code; that frame is then sent as the photo.
// The node reads every frame: the browser needs no barcode reader of its own.
"use strict";

const FRAME_EVERY_MS = 700;

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.hasAttribute("data-autosubmit") && input.files.length) {
    input.form.submit();
  }
});

function frame(video) {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
}

async function holdsCode(form, blob) {
  const body = new FormData();
  body.append("csrf_token", form.elements.csrf_token.value);
  body.append("photo", blob, "frame.jpg");
  const answer = await fetch(form.dataset.read, { method: "POST", body, credentials: "same-origin" });
  return answer.ok;
}

async function scanLive(form, button) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.className = "live";
  video.srcObject = stream;
  button.replaceWith(video);
  await video.play();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FRAME_EVERY_MS));
    const blob = await frame(video);
    if (blob && (await holdsCode(form, blob))) {
      stream.getTracks().forEach((track) => track.stop());
      const files = new DataTransfer();
      files.items.add(new File([blob], "frame.jpg", { type: "image/jpeg" }));
      form.elements.photo.files = files.files;
      form.submit();
      return;
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
    return;
  }
  for (const button of document.querySelectorAll("button[data-live]")) {
    button.hidden = false;
    button.addEventListener("click", () => scanLive(button.form, button).catch(() => { button.hidden = true; }));
  }
});
