import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { ConfigError, TwoStepError } from '@twostep/core';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../../tooling/chromium/src/chromium.mjs';
import type { Io } from '../src/io.js';
import { type Misclassified, type RunRecord, readRunRecord } from '../src/record.js';
import { reportPathFor, runReport } from '../src/report.js';
import { renderReport } from '../src/report-html.js';
import { tempDir } from './helpers.js';

// ─── A realistic run record ──────────────────────────────────────────────────────────────

const SIZE = 28;
type Point = readonly [number, number];

/** Strokes through the given points (28 × 28, in [0, 1]), about 2.5 pixels wide, soft-edged. */
function draw(...strokes: Point[][]): number[] {
  const distance = ([px, py]: Point, [ax, ay]: Point, [bx, by]: Point) => {
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
  };
  const pixels: number[] = [];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let d = Infinity;
      for (const stroke of strokes) {
        for (let k = 1; k < stroke.length; k++) {
          d = Math.min(d, distance([x + 0.5, y + 0.5], stroke[k - 1]!, stroke[k]!));
        }
      }
      pixels.push(Math.max(0, Math.min(1, (2.4 - d) / 1.2)));
    }
  }
  return pixels;
}

/** An ellipse as a closed stroke. */
const ring = (cx: number, cy: number, rx: number, ry: number): Point[] =>
  Array.from({ length: 25 }, (_, k) => {
    const a = (2 * Math.PI * k) / 24;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as const;
  });

const SHAPES: Record<number, Point[][]> = {
  2: [
    [
      [8, 9],
      [12, 5],
      [18, 6],
      [19, 11],
      [8, 23],
      [21, 23],
    ],
  ],
  3: [
    [
      [8, 6],
      [19, 6],
      [14, 13],
      [20, 18],
      [17, 23],
      [8, 22],
    ],
  ],
  4: [
    [
      [17, 24],
      [17, 4],
      [7, 17],
      [22, 17],
    ],
  ],
  5: [
    [
      [20, 5],
      [10, 5],
      [9, 13],
      [17, 13],
      [20, 18],
      [16, 23],
      [8, 22],
    ],
  ],
  7: [
    [
      [7, 6],
      [21, 6],
      [12, 24],
    ],
  ],
  9: [
    ring(14, 10, 5, 5),
    [
      [19, 10],
      [17, 24],
    ],
  ],
};

/** [true, predicted] of the misclassified digits. */
const MISTAKES: [number, number][] = [
  [4, 9],
  [7, 1],
  [3, 5],
  [9, 4],
  [2, 7],
  [5, 3],
];

function fixture(epochs = 5): RunRecord {
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  // About 200 test digits a class: most right, a few confused with a look-alike.
  const confusion = classes.map((_, i) =>
    classes.map((_, j) => (i === j ? 180 + ((i * 7) % 20) : (i * 3 + j * 5) % 11 === 0 ? 6 : 1)),
  );
  const misclassified: Misclassified[] = MISTAKES.map(([label, predicted], k) => ({
    index: 37 * k + 11,
    label,
    predicted,
    pixels: draw(...SHAPES[label]!),
  }));
  return {
    format: 'twostep-run',
    version: 1,
    finishedAt: '2026-11-28T13:31:43.425Z',
    config: {
      backend: 'ts',
      dtype: 'default',
      architecture: 'A[784,128,10]',
      activation: 'relu',
      optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
      batchSize: 32,
      epochs,
      seed: 1,
      note: '<b>&</b>',
    },
    backend: { name: 'ts', dtype: 'float32' },
    dataset: { name: 'MNIST', classes, trainSize: 8000, testSize: 2000, width: 28, height: 28 },
    epochs: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 0.5 / (i + 1) ** 1.3,
      trainAccuracy: 1 - 0.07 / (i + 1),
      testAccuracy: 0.95 - 0.04 / (i + 1),
      seconds: 1.1 + 0.1 * (i % 3),
      samplesPerSecond: 8000 / (1.1 + 0.1 * (i % 3)),
    })),
    testAccuracy: 0.942,
    confusion,
    misclassified,
  };
}

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

// ─── The HTML ────────────────────────────────────────────────────────────────────────────

describe('renderReport', () => {
  const html = renderReport(fixture());

  it('is one self-contained HTML file: nothing to fetch, no scripts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    for (const banned of ['http://', 'https://', '<script', '<link', '<img', '@import', 'url(']) {
      expect(html).not.toContain(banned);
    }
  });

  it('escapes what it interpolates', () => {
    expect(html).toContain('<code>&lt;b&gt;&amp;&lt;/b&gt;</code>');
    expect(html).not.toContain('<b>&');
    const record = fixture();
    const odd = renderReport({
      ...record,
      dataset: { ...record.dataset, name: 'M"N<I>ST', classes: [...record.dataset.classes] },
      backend: { name: "it's", dtype: 'a&b' },
    });
    expect(odd).toContain('M&quot;N&lt;I&gt;ST');
    expect(odd).toContain('it&#39;s');
    expect(odd).toContain('a&amp;b');
    expect(odd).not.toContain('<I>');
  });

  it('has the header numbers, charts, matrix, digits and config', () => {
    expect(html).toContain('94.20%'); // test accuracy
    expect(html).toContain('8,000 train · 2,000 test · 28×28 · 10 classes');
    for (const id of ['loss-chart', 'accuracy-chart', 'confusion-matrix', 'config', 'epochs']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html.match(/class="digit"/g)).toHaveLength(MISTAKES.length);
    expect(html).toContain('A[784,128,10]');
  });

  it.each([1, 0])('draws %i epoch(s) and constant series without NaN', (epochs) => {
    const record = fixture(epochs);
    const flat = renderReport({
      ...record,
      epochs: record.epochs.map((e) => ({ ...e, loss: 0.3, trainAccuracy: 1, testAccuracy: 1 })),
      misclassified: [],
    });
    expect(flat).not.toMatch(/NaN|Infinity|undefined/);
    expect(flat).toContain('No misclassified test digits');
    const constant = renderReport({
      ...fixture(4),
      epochs: fixture(4).epochs.map((e) => ({ ...e, loss: 0, trainAccuracy: 0, testAccuracy: 0 })),
    });
    expect(constant).not.toMatch(/NaN|Infinity|undefined/);
  });
});

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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  }, 60_000);

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

// ─── Reading the record and the command ──────────────────────────────────────────────────

function io(cwd: string) {
  const stdout: string[] = [];
  return { io: { env: {}, cwd, stdout: (l) => stdout.push(l), stderr: () => {} } as Io, stdout };
}

describe('readRunRecord', () => {
  it('reads a record back', async () => {
    const file = join(await tempDir(), 'mnist.run.json');
    await writeFile(file, JSON.stringify(fixture()));
    expect(await readRunRecord(file)).toEqual(fixture());
  });

  const broken: [string, (r: Record<string, unknown>) => unknown, RegExp][] = [
    ['format', (r) => ({ ...r, format: 'twostep-model' }), /format must be "twostep-run"/],
    ['version', (r) => ({ ...r, version: 2 }), /version must be 1/],
    ['backend', (r) => ({ ...r, backend: { name: 'ts' } }), /backend\.dtype must be a string/],
    [
      'an epoch',
      (r) => ({ ...r, epochs: [fixture().epochs[0], { ...fixture().epochs[1], loss: 'low' }] }),
      /epochs\[1\]\.loss must be a number/,
    ],
    [
      'an accuracy',
      (r) => ({ ...r, testAccuracy: 94.2 }),
      /testAccuracy must be a number in \[0, 1\]/,
    ],
    [
      'the confusion matrix',
      (r) => ({ ...r, confusion: fixture().confusion.slice(1) }),
      /confusion must have 10 entries, not 9/,
    ],
    [
      'a confusion count',
      (r) => ({
        ...r,
        confusion: fixture().confusion.map((row, i) =>
          i === 2 ? row.map((n, j) => (j === 5 ? -1 : n)) : row,
        ),
      }),
      /confusion\[2\]\[5\] must be an integer ≥ 0/,
    ],
    [
      'a digit',
      (r) => ({ ...r, misclassified: [{ ...fixture().misclassified[0], pixels: [0, 1] }] }),
      /misclassified\[0\]\.pixels must have 784 entries, not 2/,
    ],
    [
      'a label',
      (r) => ({ ...r, misclassified: [{ ...fixture().misclassified[0], label: 10 }] }),
      /misclassified\[0\]\.label must be an integer in \[0, 9\]/,
    ],
    ['the root', () => [1, 2], /the record must be an object/],
  ];

  it.each(broken)('names the file and the bad field: %s', async (_, change, message) => {
    const file = join(await tempDir(), 'bad.run.json');
    await writeFile(file, JSON.stringify(change(fixture() as unknown as Record<string, unknown>)));
    const error = await readRunRecord(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwoStepError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it('says when the file is missing or not JSON', async () => {
    const dir = await tempDir();
    await expect(readRunRecord(join(dir, 'none.run.json'))).rejects.toThrow(
      /cannot read the run record .*none\.run\.json \(ENOENT\)/,
    );
    await writeFile(join(dir, 'bad.json'), '{"format": ');
    await expect(readRunRecord(join(dir, 'bad.json'))).rejects.toThrow(
      /the run record .*bad\.json is not JSON/,
    );
  });
});

describe('twostep report', () => {
  it('writes models/mnist.report.html from models/mnist.run.json by default', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'models'));
    await writeFile(join(cwd, 'models', 'mnist.run.json'), JSON.stringify(fixture()));
    const { io: streams, stdout } = io(cwd);
    await runReport([], streams);
    expect(stdout).toEqual([`wrote ${join('models', 'mnist.report.html')}`]);
    const html = await readFile(join(cwd, 'models', 'mnist.report.html'), 'utf8');
    expect(html).toBe(renderReport(fixture()));
  });

  it('takes --run and --out', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'fresh.run.json'), JSON.stringify(fixture(2)));
    const { io: streams, stdout } = io(cwd);
    await runReport(['--run', 'fresh.run.json', '--out', 'out/deep/r.html'], streams);
    expect(stdout).toEqual([`wrote ${join('out', 'deep', 'r.html')}`]);
    expect(await readFile(join(cwd, 'out', 'deep', 'r.html'), 'utf8')).toBe(
      renderReport(fixture(2)),
    );
  });

  it('names the default output after the run record', () => {
    expect(reportPathFor('/m/mnist.run.json')).toBe('/m/mnist.report.html');
    expect(reportPathFor('/m/other.json')).toBe('/m/other.report.html');
    expect(reportPathFor('/m/record')).toBe('/m/record.report.html');
  });

  it.each([
    [['--bogus'], /--bogus/],
    [['--run'], /--run/],
    [['stray.json'], /stray\.json/],
    [['--out', 'x.html', '--verbose'], /--verbose/],
  ])('rejects %j with a ConfigError naming it', async (args, message) => {
    const { io: streams } = io(await tempDir());
    const error = await runReport(args, streams).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('says which run record is missing', async () => {
    const cwd = await tempDir();
    const { io: streams } = io(cwd);
    await expect(runReport([], streams)).rejects.toThrow(
      new RegExp(`cannot read the run record ${join(cwd, 'models', 'mnist.run.json')}`),
    );
  });
});
