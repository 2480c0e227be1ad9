/** The toy task's two plots: the decision boundary under the points, and the loss curve. */
import { EXTENT } from './datasets.js';
import type { LossCurveView } from './loss-curve.js';

/** Class colours: 0 blue, 1 orange (as RGB). */
const CLASS = [
  [33, 102, 172],
  [230, 97, 1],
] as const;

/** Canvas pixel of a data point (x right, y up). */
export function toCanvas(canvas: HTMLCanvasElement, [x, y]: readonly number[]): [number, number] {
  return [
    ((x! + EXTENT) / (2 * EXTENT)) * canvas.width,
    ((EXTENT - y!) / (2 * EXTENT)) * canvas.height,
  ];
}

/**
 * P(class 1) on the grid as a colour field (white at ½, the class's colour towards 0 or 1),
 * then the points on top; `selected` is ringed.
 */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  boundary: Float32Array | undefined,
  points: { inputs: readonly (readonly number[])[]; labels: readonly number[] },
  selected: number,
): void {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (boundary) {
    const side = Math.round(Math.sqrt(boundary.length));
    const image = new ImageData(side, side);
    boundary.forEach((p, i) => {
      const colour = CLASS[p >= 0.5 ? 1 : 0];
      const strength = Number.isFinite(p) ? Math.min(1, Math.abs(p - 0.5) * 2) * 0.55 : 0;
      for (let c = 0; c < 3; c++) image.data[4 * i + c] = 255 + (colour[c]! - 255) * strength;
      image.data[4 * i + 3] = 255;
    });
    const field = new OffscreenCanvas(side, side);
    field.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(field, 0, 0, canvas.width, canvas.height);
  }
  points.inputs.forEach((point, i) => {
    const [x, y] = toCanvas(canvas, point);
    ctx.beginPath();
    ctx.arc(x, y, i === selected ? 6 : 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${CLASS[points.labels[i]! ? 1 : 0].join(',')})`;
    ctx.fill();
    ctx.lineWidth = i === selected ? 2.5 : 1;
    ctx.strokeStyle = i === selected ? '#000' : '#fff';
    ctx.stroke();
  });
}

/** Index of the point nearest to a click at canvas pixel (px, py). */
export function nearestPoint(
  canvas: HTMLCanvasElement,
  inputs: readonly (readonly number[])[],
  px: number,
  py: number,
): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  inputs.forEach((point, i) => {
    const [x, y] = toCanvas(canvas, point);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  return best;
}

/**
 * The loss curve as a line (each point the mean of its epochs), 0 at the bottom, the largest
 * finite point at the top; a non-finite point is drawn at the top.
 */
export function drawLossCurve(canvas: HTMLCanvasElement, curve: LossCurveView): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = 24;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad, 4, width - pad - 4, height - pad - 4);
  const { points } = curve;
  let top = -Infinity;
  let finite = 0;
  for (const p of points) {
    if (!Number.isFinite(p)) continue;
    finite++;
    if (p > top) top = p;
  }
  if (finite < 2) return;
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(top.toPrecision(2), 0, 12);
  ctx.fillText('0', 8, height - pad);
  ctx.fillText(`epoch ${curve.epochs}`, width - 70, height - 6);
  ctx.beginPath();
  ctx.strokeStyle = '#c0392b';
  ctx.lineWidth = 1.5;
  points.forEach((loss, i) => {
    const x = pad + ((width - pad - 4) * i) / (points.length - 1);
    const y = 4 + (height - pad - 4) * (1 - (Number.isFinite(loss) ? loss / top : 1));
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}
