"use strict";
// Reading a QR code for the verifier's page: from camera frames (getUserMedia) or from an
// image file, decoded by jsQR (static/vendor/jsQR.js) from the pixels of a canvas.
const certfreeScan = (() => {
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  // jsQR's work grows with the pixels: a photo is scaled down to this many per side, still
  // several pixels per module for the largest presentation a phone shows (version 30).
  const MAX_SIDE = 1600;
  const FRAME_INTERVAL_MS = 150;

  // The text of the QR code in `source` (an image, bitmap or video frame), or null.
  function decode(source, width, height, inversionAttempts) {
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts });
    return found && found.data ? found.data : null;
  }

  // The QR text in an image file (an upload or a pasted screenshot); null when none is found.
  async function fromImage(blob) {
    const bitmap = await createImageBitmap(blob);
    try {
      return decode(bitmap, bitmap.width, bitmap.height, "attemptBoth");
    } finally {
      bitmap.close();
    }
  }

  let stream = null;
  let timer = null;
  // Show the camera in `video` and call `onText` with the first QR code read, then stop.
  async function startCamera(video, onText) {
    stopCamera(video);
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const tick = () => {
      if (!stream) return;
      if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
        const text = decode(video, video.videoWidth, video.videoHeight, "dontInvert");
        if (text) {
          stopCamera(video);
          onText(text);
          return;
        }
      }
      timer = setTimeout(tick, FRAME_INTERVAL_MS);
    };
    tick();
  }
  function stopCamera(video) {
    clearTimeout(timer);
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    if (video) {
      video.srcObject = null;
      video.hidden = true;
    }
  }
  const scanning = () => stream !== null;

  return { fromImage, startCamera, stopCamera, scanning };
})();
