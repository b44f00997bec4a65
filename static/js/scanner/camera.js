// The camera's picture, read for QR codes: frames drawn downscaled to a canvas and decoded with
// the vendored jsQR a few times a second (enough to feel instant, little enough for a phone).
import "../../vendor/jsqr-1.4.0/jsQR.js"; // a UMD build: it sets globalThis.jsQR

const DECODES_PER_SECOND = 8;
const WIDTH = 480; // pixels across a decoded frame: a badge's QR held up fills a third of it

export class Camera {
  constructor(video, onText) {
    this.video = video;
    this.onText = onText;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.stream = null;
    this.timer = null;
  }

  get running() {
    return this.stream !== null;
  }

  // The back camera where there is one; rejects as getUserMedia does (no camera, refused).
  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.tick();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  tick() {
    if (!this.stream) return;
    const started = performance.now();
    if (!document.hidden && this.video.readyState >= 2 && this.video.videoWidth) {
      const text = this.decode();
      if (text) this.onText(text);
    }
    const spent = performance.now() - started;
    this.timer = setTimeout(() => this.tick(), Math.max(0, 1000 / DECODES_PER_SECOND - spent));
  }

  decode() {
    const scale = Math.min(1, WIDTH / this.video.videoWidth);
    const width = Math.round(this.video.videoWidth * scale);
    const height = Math.round(this.video.videoHeight * scale);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.drawImage(this.video, 0, 0, width, height);
    const frame = this.context.getImageData(0, 0, width, height);
    const code = globalThis.jsQR(frame.data, width, height, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  }
}
