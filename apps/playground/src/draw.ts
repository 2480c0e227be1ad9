/**
 * A pad to draw a digit on, and the preprocessing that makes a drawing look like an MNIST
 * digit: the ink's bounding box scaled into 20 × 20 (aspect kept, area-averaged) and placed
 * in 28 × 28 with its centre of mass at the centre, as the MNIST digits were made.
 */
const SIDE = 28;
const BOX = 20;

/** 784 values in [0, 1] from an ink channel (0–255) of a `width` × `height` image. */
export function toMnistPixels(alpha: ArrayLike<number>, width: number, height: number): number[] {
  if (alpha.length < width * height) {
    throw new Error(`toMnistPixels: ${alpha.length} values for a ${width} × ${height} image.`);
  }
  let [top, left, bottom, right] = [height, width, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (alpha[y * width + x]! > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const out = new Array<number>(SIDE * SIDE).fill(0);
  if (bottom < 0) return out;
  const [w, h] = [right - left + 1, bottom - top + 1];
  const scale = BOX / Math.max(w, h);
  const [sw, sh] = [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
  // Area-average the box into sw × sh cells.
  const small = new Float64Array(sw * sh);
  for (let cy = 0; cy < sh; cy++) {
    for (let cx = 0; cx < sw; cx++) {
      const [x0, x1] = [left + (cx * w) / sw, left + ((cx + 1) * w) / sw];
      const [y0, y1] = [top + (cy * h) / sh, top + ((cy + 1) * h) / sh];
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const fy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const f = fy * (Math.min(x + 1, x1) - Math.max(x, x0));
          sum += f * alpha[y * width + x]!;
          area += f;
        }
      }
      small[cy * sw + cx] = sum / area / 255;
    }
  }
  // Centre of mass of the scaled ink, moved to (14, 14), the box kept inside the image.
  let [mass, mx, my] = [0, 0, 0];
  small.forEach((v, i) => {
    mass += v;
    mx += v * ((i % sw) + 0.5);
    my += v * (Math.floor(i / sw) + 0.5);
  });
  const clamp = (v: number, size: number) => Math.min(SIDE - size, Math.max(0, v));
  const ox = clamp(Math.round(SIDE / 2 - mx / mass), sw);
  const oy = clamp(Math.round(SIDE / 2 - my / mass), sh);
  small.forEach((v, i) => {
    out[(oy + Math.floor(i / sw)) * SIDE + ox + (i % sw)] = Math.min(1, Math.max(0, v));
  });
  return out;
}

/**
 * Draws round black strokes on a transparent canvas with the pointer (mouse, pen or touch);
 * `pixels()` reads them as a digit. DOM-only: construct it in a page.
 */
export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly listeners: (() => void)[] = [];
  private readonly handlers: [string, (e: PointerEvent) => void][];
  private last: [number, number] | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const at = (e: PointerEvent): [number, number] => {
      const box = canvas.getBoundingClientRect();
      return [
        ((e.clientX - box.left) * canvas.width) / (box.width || canvas.width),
        ((e.clientY - box.top) * canvas.height) / (box.height || canvas.height),
      ];
    };
    const end = () => {
      if (!this.last) return;
      this.last = undefined;
      this.changed();
    };
    this.handlers = [
      [
        'pointerdown',
        (e) => {
          if (e.button !== 0) return;
          e.preventDefault();
          canvas.setPointerCapture(e.pointerId);
          this.last = undefined;
          this.stroke(at(e));
        },
      ],
      ['pointermove', (e) => this.last && this.stroke(at(e))],
      ['pointerup', end],
      ['pointercancel', end],
    ];
    for (const [type, handler] of this.handlers) {
      canvas.addEventListener(type, handler as EventListener);
    }
  }

  /** A line from the last point to `to` (a dot when the stroke starts). */
  private stroke(to: [number, number]): void {
    const { ctx } = this;
    const width = this.canvas.width / 14;
    ctx.fillStyle = ctx.strokeStyle = '#000';
    ctx.beginPath();
    if (this.last) {
      ctx.lineWidth = width;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.moveTo(...this.last);
      ctx.lineTo(...to);
      ctx.stroke();
    } else {
      ctx.arc(to[0], to[1], width / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    this.last = to;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each stroke ends and on `clear`. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Erases the drawing. */
  clear(): void {
    this.last = undefined;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.changed();
  }

  /** The drawing as 784 MNIST-like pixels in [0, 1]. */
  pixels(): number[] {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const alpha = new Uint8ClampedArray(width * height);
    for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3]!;
    return toMnistPixels(alpha, width, height);
  }

  /** Shows a 28 × 28 digit (values in [0, 1]) scaled up, without calling the listeners. */
  drawPixels(pixels: ArrayLike<number>): void {
    const image = new ImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) image.data[4 * i + 3] = Math.round(255 * pixels[i]!);
    const small = new OffscreenCanvas(SIDE, SIDE);
    small.getContext('2d')!.putImageData(image, 0, 0);
    this.last = undefined;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
  }

  /** Removes the pointer listeners and the change listeners. */
  dispose(): void {
    for (const [type, handler] of this.handlers) {
      this.canvas.removeEventListener(type, handler as EventListener);
    }
    this.listeners.length = 0;
    this.last = undefined;
  }
}
