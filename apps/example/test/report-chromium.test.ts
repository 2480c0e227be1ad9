/** `twostep report` in headless Chromium: what the page loads, draws and looks like. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../../tooling/chromium/src/chromium.mjs';
import { renderReport } from '../src/report-html.js';
import { fixture, MISTAKES } from './report-helpers.js';

// ─── A PNG decoder (8-bit RGB/RGBA, non-interlaced: what Chromium writes) ───────────────

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major. */
  readonly rgba: Uint8Array;
}

function decodePng(png: Buffer): Image {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  let [width, height, channels] = [0, 0, 0];
  const data: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      const [depth, colour, interlace] = [body[8], body[9], body[12]];
      expect({ depth, interlace }).toEqual({ depth: 8, interlace: 0 });
      expect([2, 6]).toContain(colour);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? pixels[row + i - channels]! : 0;
      const b = y > 0 ? pixels[row - stride + i]! : 0;
      const c = i >= channels && y > 0 ? pixels[row - stride + i - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`PNG row ${y} has filter type ${filter}`);
      }
      pixels[row + i] = (x + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let k = 0; k < width * height; k++) {
    for (let ch = 0; ch < 4; ch++) {
      rgba[4 * k + ch] = ch < channels ? pixels[k * channels + ch]! : 255;
    }
  }
  return { width, height, rgba };
}

/** Distinct colours, and the share of pixels that are neither white nor the page's grey. */
function colourStats({ width, height, rgba }: Image, page: readonly [number, number, number]) {
  const colours = new Set<number>();
  let drawn = 0;
  for (let k = 0; k < width * height; k++) {
    const rgb = [rgba[4 * k]!, rgba[4 * k + 1]!, rgba[4 * k + 2]!] as const;
    colours.add((rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
    const near = (c: readonly number[]) => rgb.every((v, i) => Math.abs(v - c[i]!) <= 4);
    if (!near([255, 255, 255]) && !near(page)) drawn++;
  }
  return { colours: colours.size, drawn: drawn / (width * height) };
}

// ─── In Chromium ─────────────────────────────────────────────────────────────────────────

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '__artifacts__');

describe('the report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ args: [...CHROMIUM_ARGS], executablePath: chromiumPath() });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // Any fetch at all (scripts, fonts, images, style sheets) would show up here.
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await page.setContent(renderReport(fixture()), { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing from anywhere', () => {
    expect(requests).toEqual([]);
  });

  it('draws one point per epoch on each curve', async () => {
    const pointsOf = (chart: string) =>
      page.$$eval(`#${chart} polyline.series`, (lines) =>
        lines.map((l) => (l.getAttribute('points') ?? '').trim().split(/\s+/).length),
      );
    expect(await pointsOf('loss-chart')).toEqual([5]);
    expect(await pointsOf('accuracy-chart')).toEqual([5, 5]);
    for (const chart of ['loss-chart', 'accuracy-chart']) {
      const box = await page.locator(`#${chart}`).boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(box?.height).toBeGreaterThan(150);
    }
    // Axis tick labels are there.
    expect(await page.locator('#accuracy-chart text.tick').count()).toBeGreaterThan(6);
  });

  it('draws the confusion matrix with 100 cells and their counts', async () => {
    expect(await page.locator('#confusion-matrix rect.cell').count()).toBe(100);
    expect(await page.locator('#confusion-matrix text.count').allTextContents()).toContain('180');
    const tip = await page
      .locator('#confusion-matrix rect.cell[data-actual="3"][data-predicted="3"] title')
      .textContent();
    expect(tip).toBe('true 3, predicted 3: 181');
  });

  it('draws each misclassified digit with a "true → predicted" caption', async () => {
    expect(await page.locator('svg.digit').count()).toBe(MISTAKES.length);
    expect(await page.locator('.digits figcaption').allTextContents()).toEqual(
      MISTAKES.map(([t, p]) => `${t} → ${p}`),
    );
    // The 4 has ink: well over a tenth of its squares are drawn.
    const squares = await page.locator('svg.digit').first().locator('rect').count();
    expect(squares).toBeGreaterThan(80);
  });

  it('shows the config, escaped values as text', async () => {
    const note = page.locator('#config tr', { hasText: 'note' }).locator('code');
    expect(await note.textContent()).toBe('<b>&</b>');
  });

  it('renders to a non-blank page (screenshot in test/__artifacts__/report.png)', async () => {
    const png = await page.screenshot({ fullPage: true });
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(join(ARTIFACTS, 'report.png'), png);
    const image = decodePng(png);
    expect(image.width).toBe(1200);
    expect(image.height).toBeGreaterThan(1200);
    const { colours, drawn } = colourStats(image, [0xf2, 0xf4, 0xf7]); // STYLE's page grey
    expect(colours).toBeGreaterThan(200);
    expect(drawn).toBeGreaterThan(0.05); // text, lines, cells and digits over white and grey

    // The heat map's diagonal is blue and some mistakes are red.
    const matrix = decodePng(await page.locator('#confusion-matrix').screenshot());
    let [blue, red] = [0, 0];
    for (let k = 0; k < matrix.width * matrix.height; k++) {
      const [r, g, b] = [matrix.rgba[4 * k]!, matrix.rgba[4 * k + 1]!, matrix.rgba[4 * k + 2]!];
      if (b > r + 60 && b > g + 20) blue++;
      if (r > b + 60 && r > g + 40) red++;
    }
    expect(blue / (matrix.width * matrix.height)).toBeGreaterThan(0.05);
    expect(red).toBeGreaterThan(100);
  });
});
