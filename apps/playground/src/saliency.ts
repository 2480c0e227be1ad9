/**
 * The input gradient δup_0 = ∂J/∂X0 of a digit as a heat map: which pixels would raise J
 * (red) or lower it (blue) for the target class, over the digit's ink in grey.
 */
import { diverging, maxAbs } from './colours.js';

const SIDE = 28;

/** RGBA of the 28 × 28 map: the colour of each gradient, blended over the ink. */
export function saliencyImage(
  values: ArrayLike<number>,
  pixels?: ArrayLike<number>,
): Uint8ClampedArray<ArrayBuffer> {
  const scale = maxAbs(Array.from(values));
  const image = new Uint8ClampedArray(SIDE * SIDE * 4);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const colour = diverging(values[i]!, scale);
    // The ink darkens the map a little, so the digit shows through.
    const ink = pixels ? 1 - 0.35 * Math.min(1, Math.max(0, pixels[i]!)) : 1;
    for (let c = 0; c < 3; c++) image[4 * i + c] = colour[c]! * ink;
    image[4 * i + 3] = 255;
  }
  return image;
}

/** Draws the map on `canvas`, scaled up with square pixels. */
export function drawSaliency(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  pixels?: ArrayLike<number>,
): void {
  const small = new OffscreenCanvas(SIDE, SIDE);
  small.getContext('2d')!.putImageData(new ImageData(saliencyImage(values, pixels), SIDE), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}
