/**
 * The built playground in headless Chromium (tooling/chromium's, driven by Playwright), once per
 * backend: train on two moons until the test accuracy passes 95%, check the boundary
 * changed and the δ panel holds finite numbers, then (but on MOONS_ONLY) import a model the
 * Node app trained and check its test accuracy and predictions against the Node app's own.
 * Screenshots go to test/__artifacts__/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webgpuUnavailable } from '@twostep/backend-webgpu';
import { Network, serialize } from '@twostep/core';
import { type Browser, chromium, type Download, type Page } from 'playwright';
import { type PreviewServer, preview, type UserConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../../tooling/chromium/src/chromium.mjs';
import type { Sizes } from '../size-report.ts';
import type { Snapshot } from '../src/protocol.ts';
import viteConfig from '../vite.config.ts';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = join(APP, 'test', '__artifacts__');
const CLI = join(APP, '..', 'example', 'dist', 'cli.js');
const BACKENDS = ['ts', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'webgpu', 'tfjs-webgpu'] as const;
/**
 * Backends tested on two moons only: tfjs-webgpu on SwiftShader (6 steps/s) gave no snapshot of
 * the 10,000 digits within a minute.
 */
const MOONS_ONLY: ReadonlySet<string> = new Set(['tfjs-webgpu']);
/** A host name Chromium maps to the test's server: plain http there is not a secure context. */
const INSECURE_HOST = 'insecure.test';
const TEST_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7];

let server: PreviewServer;
let browser: Browser;
let url: string;
/** The Node app's model, its test accuracy and its predictions for TEST_DIGITS. */
let node: { model: string; accuracy: number; predicted: number[] };
/** Steps per second on two moons, by backend, for the record. */
const results: Record<string, object> = {};

/** The headers vite.config.ts serves the page with (cross-origin isolation), in dev and preview. */
const HEADERS = (viteConfig as UserConfig).preview?.headers;

/** A server of the built app, with `headers` on every response. */
const serve = (headers: OutgoingHttpHeaders | undefined) =>
  preview({
    root: APP,
    configFile: false,
    logLevel: 'silent',
    preview: { port: 0, host: '127.0.0.1', open: false, headers, allowedHosts: [INSECURE_HOST] },
  });

const run = (args: string[], cwd: string) =>
  execFileSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });

beforeAll(async () => {
  if (!existsSync(join(APP, 'dist', 'index.html'))) {
    throw new Error('The playground is not built: run `pnpm --filter playground build` first.');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // A model from the Node app: one epoch of A[784,32,10], then its own evaluation.
  const dir = mkdtempSync(join(tmpdir(), 'twostep-playground-'));
  const model = join(dir, 'mnist.json');
  run(
    ['train', '--epochs', '1', '--architecture', 'A[784,32,10]', '--model', model, '--json'],
    dir,
  );
  const evaluation = JSON.parse(run(['evaluate', '--model', model, '--json'], dir).trim());
  const predicted = run(
    ['predict', '--model', model, '--index', TEST_DIGITS.join(','), '--json'],
    dir,
  )
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).predicted as number);
  node = { model, accuracy: evaluation.accuracy, predicted };

  // The built files need no plugins; and vite.config.ts's MNIST plugin runs the datasets
  // package from dist/, whose core import this test process would resolve to TypeScript. The
  // headers are the config's, as `vite preview` sends them.
  server = await serve(HEADERS);
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (Object.keys(results).length > 0) {
    writeFileSync(join(ARTIFACTS, 'e2e-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(
      Object.entries(results)
        .map(([b, r]) => `${b}: ${JSON.stringify(r)}`)
        .join('\n'),
    );
  }
});

/** A page on `search`, failing the test on any uncaught error in it or its worker. */
async function open(search: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('worker', (worker) => worker.on('console', () => {}));
  await page.goto(`${url}${search}`);
  return { page, errors };
}

const value = (page: Page, testId: string) =>
  page.$eval(`[data-testid="${testId}"]`, (e) => Number((e as HTMLElement).dataset.value));

/** The trace of the page's latest snapshot. */
const lastTrace = (page: Page) =>
  page.evaluate(
    () =>
      (
        globalThis as unknown as { playground: { snapshot(): Snapshot | undefined } }
      ).playground.snapshot()?.trace,
  );

const canvasImage = (page: Page, testId: string) =>
  page.$eval(`[data-testid="${testId}"]`, (c) => (c as HTMLCanvasElement).toDataURL());

/** The vendor of the WebGPU adapter the page gets (`google` for SwiftShader). */
const adapterVendor = (page: Page) =>
  page.evaluate(async () => (await navigator.gpu.requestAdapter())!.info.vendor);

describe.each(BACKENDS)('the playground on %s', (backend) => {
  const moons = 'learns two moons, draws the boundary and the δ panel';
  it(MOONS_ONLY.has(backend) ? moons : `${moons}, and runs a Node model`, async () => {
    const { page, errors } = await open(`?backend=${backend}`);
    try {
      await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 60_000 });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="epoch"]')?.getAttribute('data-value') === '0',
      );
      const status = (await page.textContent('[data-testid="status"]'))!;
      if (backend === 'webgpu') {
        // The header names the adapter as the browser does (here SwiftShader's).
        expect(status).toMatch(/^webgpu float32 · /);
        expect(status).toContain(await adapterVendor(page));
      }
      if (backend === 'tfjs-webgpu') expect(status).toBe('tfjs-webgpu · float32 · tfjs-webgpu');
      const before = await canvasImage(page, 'boundary');

      await page.click('[data-testid="run"]');
      const started = Date.now();
      await expect
        .poll(() => value(page, 'test-accuracy'), { timeout: 180_000, interval: 100 })
        .toBeGreaterThan(0.95);
      const seconds = (Date.now() - started) / 1000;
      const stepsTo95 = await value(page, 'steps');
      // The steady rate: the worker's count over the last second, after 3 more seconds.
      await page.waitForTimeout(3000);
      const stepsPerSecond = await value(page, 'steps-per-second');
      await page.click('[data-testid="run"]'); // pause
      await page.waitForTimeout(300); // the epoch under way ends, and is reported
      results[backend] = {
        secondsTo95: Number(seconds.toFixed(1)),
        stepsTo95,
        stepsPerSecond: Math.round(stepsPerSecond),
        testAccuracy: await value(page, 'test-accuracy'),
      };
      expect(stepsPerSecond).toBeGreaterThan(0);

      expect(await canvasImage(page, 'boundary')).not.toBe(before);
      const deltas = await page.$$eval('[data-testid="trace"] .value', (spans) =>
        spans.map((s) => Number((s as HTMLElement).dataset.value)),
      );
      // A[2,8,8,2]: at least X, Y, δup and δdown of every neuron.
      expect(deltas.length).toBeGreaterThanOrEqual(4 * (8 + 8 + 2));
      expect(deltas.every(Number.isFinite)).toBe(true);
      expect(deltas.some((d) => d !== 0)).toBe(true);
      await page.screenshot({
        path: join(ARTIFACTS, `playground-${backend}-moons.png`),
        fullPage: true,
      });
      if (MOONS_ONLY.has(backend)) {
        expect(errors).toEqual([]);
        return;
      }

      // The Node app's model: same digits, same split, same test accuracy and predictions.
      await page.setInputFiles('[data-testid="import"]', node.model);
      // The imported network's first snapshot (the paused run's last may come after the pause).
      await expect
        .poll(async () => (await lastTrace(page))?.architecture, { timeout: 60_000 })
        .toEqual([784, 32, 10]);
      const accuracy = await value(page, 'test-accuracy');
      // Float32 sums in another order may flip a digit on the edge: at most 1 of 2,000.
      expect(Math.abs(accuracy - node.accuracy)).toBeLessThanOrEqual(backend === 'ts' ? 0 : 0.0005);
      const predicted: number[] = [];
      for (const i of TEST_DIGITS) {
        await page.fill('[data-testid="test-digit"]', String(i));
        await page.$eval('[data-testid="prediction"]', (e) => {
          (e as HTMLElement).dataset.digit = '';
        });
        await page.click('[data-testid="show-test-digit"]');
        await page.waitForFunction(
          () =>
            document.querySelector('[data-testid="prediction"]')?.getAttribute('data-digit') !== '',
        );
        predicted.push(Number(await page.getAttribute('[data-testid="prediction"]', 'data-digit')));
      }
      expect(predicted).toEqual(node.predicted);
      const saliency = await page.$$eval('[data-testid="trace"] .value', (spans) =>
        spans.map((s) => Number((s as HTMLElement).dataset.value)),
      );
      expect(saliency.every(Number.isFinite)).toBe(true);
      // A digit drawn with the mouse: a vertical stroke, classified with its saliency map.
      await page.click('#clear');
      expect(await page.getAttribute('[data-testid="prediction"]', 'data-digit')).toBeNull();
      await page.$eval('[data-testid="prediction"]', (e) => {
        (e as HTMLElement).dataset.digit = '';
      });
      const pad = (await page.$('[data-testid="pad"]'))!;
      const box = (await pad.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 10 });
      await page.mouse.up();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="prediction"]')?.getAttribute('data-digit') !== '',
      );
      // Cropped, scaled and centred like MNIST's digits, the stroke is a 1.
      expect(await page.getAttribute('[data-testid="prediction"]', 'data-digit')).toBe('1');
      expect(await page.textContent('[data-testid="prediction"]')).not.toContain('label');
      expect(await page.textContent('[data-testid="trace"]')).toContain('your input');
      // Exported again, it is the Node app's file: the same JSON, number for number.
      const download = page.waitForEvent('download');
      await page.click('[data-testid="export"]');
      const exported = readFileSync((await (await download).path())!, 'utf8');
      expect(JSON.parse(exported)).toEqual(JSON.parse(readFileSync(node.model, 'utf8')));
      await page.screenshot({
        path: join(ARTIFACTS, `playground-${backend}-mnist.png`),
        fullPage: true,
      });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the controls', () => {
  it('step one batch, pause, pace, export, switch backend with the network, reset; layer-wise', async () => {
    const { page, errors } = await open('?backend=ts');
    await page.waitForSelector('[data-testid="status"][data-state="ready"]');
    await page.selectOption('select[name="dataset"]', 'spiral');
    await page.selectOption('select[name="mode"]', 'layerwise');
    await page.selectOption('select[name="optimizer"]', 'sgd');
    await page.fill('input[name="learningRate"]', '0.1');
    await page.fill('input[name="batchSize"]', '40');
    await page.click('#apply');
    await expect.poll(() => page.inputValue('input[name="batchSize"]')).toBe('40');

    // A step is one mini-batch: 400 points in batches of 40 make an epoch of 10 steps.
    const start = await canvasImage(page, 'boundary');
    for (let step = 1; step <= 10; step++) {
      await page.click('[data-testid="step"]');
      await expect.poll(() => value(page, 'steps')).toBe(step);
      expect(await value(page, 'epoch')).toBe(step === 10 ? 1 : 0);
      if (step === 1) expect(await canvasImage(page, 'boundary')).not.toBe(start);
    }
    await page.waitForTimeout(300);
    expect(await value(page, 'steps')).toBe(10); // then paused

    await page.click('[data-testid="run"]');
    await expect.poll(() => value(page, 'epoch')).toBeGreaterThan(20);
    await page.click('[data-testid="run"]');
    await page.waitForTimeout(300);
    const paused = await value(page, 'epoch');
    await page.waitForTimeout(500);
    expect(await value(page, 'epoch')).toBe(paused);

    await page.selectOption('#speed', '5');
    const started = Date.now();
    await page.click('[data-testid="run"]');
    await page.waitForTimeout(2000);
    await page.click('[data-testid="run"]');
    const seconds = (Date.now() - started) / 1000; // at least 2 s; more on a busy machine
    await page.waitForTimeout(300);
    const paced = (await value(page, 'epoch')) - paused;
    expect(paced).toBeGreaterThanOrEqual(2);
    expect(paced).toBeLessThanOrEqual(5 * seconds + 3); // 5 epochs/s, and the epoch under way

    const download = page.waitForEvent('download');
    await page.click('[data-testid="export"]');
    const file = await (await download).path();
    const model = JSON.parse(readFileSync(file, 'utf8'));
    expect(model).toMatchObject({
      format: 'twostep-network',
      version: 1,
      architecture: [2, 8, 8, 2],
    });
    expect(model.activations).toEqual(['tanh', 'tanh', 'identity']);

    // Another backend takes the trained network along: the same accuracy, then trains on.
    const accuracy = await value(page, 'test-accuracy');
    const J = await page.getAttribute('[data-testid="trace"] p .value', 'data-value');
    await page.selectOption('#backend', 'tfjs-cpu');
    await page.waitForSelector('[data-testid="status"][data-state="ready"]:has-text("tfjs-cpu")');
    // The new worker is configured with the settings, then takes the network: wait for the
    // snapshot of the network itself (a fresh one can match the accuracy by chance), from the
    // new worker (0 steps there: the old worker's last snapshot, still shown until the new
    // one's first, has the same J).
    const carried = () =>
      page.evaluate(() => {
        const s = (
          globalThis as unknown as { playground: { snapshot(): Snapshot | undefined } }
        ).playground.snapshot();
        return s && s.steps === 0 ? { J: s.trace.J, accuracy: s.testAccuracy } : undefined;
      });
    await expect
      .poll(async () => Math.abs(((await carried())?.J ?? Infinity) - Number(J)))
      .toBeLessThan(5e-6);
    expect((await carried())?.accuracy).toBe(accuracy);
    expect(await value(page, 'test-accuracy')).toBe(accuracy);
    expect(await page.inputValue('select[name="mode"]')).toBe('layerwise');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('tfjs-cpu');
    await page.click('[data-testid="step"]');
    await expect.poll(() => value(page, 'steps')).toBe(1);

    await page.click('[data-testid="reset"]');
    await expect.poll(() => value(page, 'steps')).toBe(0);
    expect(await value(page, 'epoch')).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('threads', () => {
  const status = (page: Page) => page.textContent('[data-testid="status"]');
  const threads = (page: Page) => page.getAttribute('[data-testid="status"]', 'data-threads');
  /** Waits until the backend is ready, then one Step trains one mini-batch. */
  async function readyAndSteps(page: Page): Promise<void> {
    await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 60_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="epoch"]')?.getAttribute('data-value') === '0',
    );
    await page.click('[data-testid="step"]');
    await expect.poll(() => value(page, 'steps')).toBe(1);
  }

  it('the page is cross-origin isolated, and ts computes on the cores (at most 8), or on ?threads=N', async () => {
    // vite.config.ts sends the headers from both of its servers.
    expect(HEADERS).toEqual({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    expect((viteConfig as UserConfig).server?.headers).toEqual(HEADERS);
    const { page, errors } = await open('?backend=ts');
    try {
      await readyAndSteps(page);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      // ts's default: the cores, at most 8 (2 threads on a 2-core machine).
      const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
      const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
      expect(await status(page)).toMatch(new RegExp(`^ts float32 · .+ · ${plural(cores)}$`));
      expect(await threads(page)).toBe(String(cores));
      expect(await page.inputValue('[data-testid="threads"]')).toBe('default');

      await page.goto(`${url}?backend=ts&threads=1`);
      await readyAndSteps(page);
      expect(await status(page)).toMatch(/^ts float32 · .+ · 1 thread$/);
      expect(await threads(page)).toBe('1');
      expect(await page.inputValue('[data-testid="threads"]')).toBe('1');

      // The selector sets them too, and writes the URL.
      await page.selectOption('[data-testid="threads"]', '2');
      await page.waitForSelector('[data-testid="status"][data-state="ready"][data-threads="2"]', {
        timeout: 60_000,
      });
      expect(await status(page)).toMatch(/^ts float32 · .+ · 2 threads$/);
      expect(new URL(page.url()).searchParams.get('threads')).toBe('2');
      // Another backend takes no threads: the selector goes back to default, disabled.
      await page.selectOption('#backend', 'tfjs-cpu');
      await page.waitForSelector('[data-testid="status"][data-state="ready"]:has-text("tfjs-cpu")');
      expect(await threads(page)).toBeNull();
      expect(await page.isDisabled('[data-testid="threads"]')).toBe(true);
      expect(new URL(page.url()).searchParams.get('threads')).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('without the headers the page still trains, on one thread, and says why', async () => {
    const plain = await serve(undefined);
    const page = await browser.newPage();
    try {
      await page.goto(`${plain.resolvedUrls!.local[0]!}?backend=ts&threads=2`);
      await readyAndSteps(page);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await threads(page)).toBe('1');
      const text = (await status(page))!;
      expect(text).toMatch(/^ts float32 · .+ · 1 thread \(.+\)$/);
      expect(text).toContain('Cross-Origin-Opener-Policy: same-origin');
      expect(text).toContain('Cross-Origin-Embedder-Policy: require-corp');
    } finally {
      await page.close();
      await plain.close();
    }
  });
});

/**
 * A static host of the built app that sends `headers` with `index.html` only (and serves the
 * rest without them): its origin, and a close.
 */
async function pageOnlyHost(headers: OutgoingHttpHeaders) {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const host = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    const file = join(APP, 'dist', path === '/' ? 'index.html' : path);
    if (!file.startsWith(join(APP, 'dist')) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      ...(file.endsWith('.html') && headers),
    });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const { port } = host.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}/`, close: () => host.close() };
}

describe('a host that sends the isolation headers with the page only', () => {
  it('gets the worker refused, and the page says to send them with every file', async () => {
    const host = await pageOnlyHost(HEADERS!);
    const page = await browser.newPage();
    try {
      await page.goto(`${host.origin}?backend=ts`);
      await page.waitForSelector('[data-testid="status"][data-state="failed"]', {
        timeout: 60_000,
      });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(await page.textContent('[data-testid="error"]')).toBe(
        'The training worker failed: its script did not load. A cross-origin isolated page starts only workers whose scripts are served with Cross-Origin-Embedder-Policy: require-corp too: send the headers with every file.',
      );
    } finally {
      await page.close();
      host.close();
    }
  });
});

describe('configuration and bad input', () => {
  it('names a bad backend in the URL, and the values allowed', async () => {
    const { page } = await open('?backend=cuda');
    await expect
      .poll(() => page.textContent('[data-testid="error"]'))
      .toContain(
        'URL parameter backend must be one of "ts", "webgpu", "tfjs-cpu", "tfjs-webgl", "tfjs-webgpu", "tfjs-wasm"; it is "cuda". Pick a backend above.',
      );
    expect(await page.getAttribute('[data-testid="status"]', 'data-state')).toBe('failed');
    await page.close();
  });

  it('says when WebGL is missing, and falls back only when asked', async () => {
    const noGpu = await chromium.launch({
      executablePath: chromiumPath(),
      // No GPU and no software GL: no WebGL in pages or workers (--disable-webgl spares workers).
      args: [...CHROMIUM_ARGS, '--disable-gpu', '--disable-software-rasterizer'],
    });
    try {
      const page = await noGpu.newPage();
      await page.goto(`${url}?backend=tfjs-webgl`);
      await page.waitForSelector('[data-testid="status"][data-state="failed"]', {
        timeout: 60_000,
      });
      expect(await page.textContent('[data-testid="error"]')).toContain(
        'Backend tfjs-webgl cannot run here.',
      );
      // Nothing trains until the user picks the fallback.
      expect(await page.getAttribute('[data-testid="epoch"]', 'data-value')).toBeNull();
      await page.click('#banner-actions button:has-text("Fall back to ts")');
      await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 60_000 });
      expect(new URL(page.url()).searchParams.get('backend')).toBe('ts');
    } finally {
      await noGpu.close();
    }
  });

  it('says why WebGPU cannot run, and falls back only when asked', async () => {
    // Without --enable-unsafe-webgpu, headless Chromium on Linux has navigator.gpu but gives no
    // adapter; on plain http from a host other than localhost it has no navigator.gpu at all.
    const noWebgpu = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        ...CHROMIUM_ARGS.filter((arg) => arg !== '--enable-unsafe-webgpu'),
        `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
      ],
    });
    const insecure = new URL(url);
    insecure.hostname = INSECURE_HOST;
    const cases: [string, string][] = [
      [url, 'webgpu: this browser has WebGPU but gave no adapter'],
      // The environment check's reason, which it gives in Node too (no navigator.gpu there).
      [insecure.href, webgpuUnavailable()!],
    ];
    try {
      for (const [origin, reason] of cases) {
        const page = await noWebgpu.newPage();
        await page.goto(`${origin}?backend=webgpu`);
        await page.waitForSelector('[data-testid="status"][data-state="failed"]', {
          timeout: 60_000,
        });
        const error = await page.textContent('[data-testid="error"]');
        expect(error).toContain('Backend webgpu cannot run here.');
        expect(error).toContain(reason);
        // Nothing trains until the user picks a fallback, and none is on the GPU.
        expect(await page.getAttribute('[data-testid="epoch"]', 'data-value')).toBeNull();
        const fallbacks = await page.$$eval('#banner-actions button', (buttons) =>
          buttons.map((b) => b.textContent),
        );
        expect(fallbacks).toEqual([
          'Fall back to ts',
          'Fall back to tfjs-cpu',
          'Fall back to tfjs-wasm',
        ]);
        await page.click('#banner-actions button:has-text("Fall back to ts")');
        await page.waitForSelector('[data-testid="status"][data-state="ready"]', {
          timeout: 60_000,
        });
        expect(new URL(page.url()).searchParams.get('backend')).toBe('ts');
        await page.click('[data-testid="step"]');
        await expect.poll(() => value(page, 'steps')).toBe(1);
        await page.close();
      }
    } finally {
      await noWebgpu.close();
    }
  });

  it('rejects an architecture that does not fit the task, with the reason, and keeps the run', async () => {
    const { page } = await open('?backend=ts');
    await page.waitForSelector('[data-testid="status"][data-state="ready"]');
    await page.fill('input[name="architecture"]', 'A[3,8,2]');
    await page.fill('input[name="learningRate"]', '-1');
    await page.click('#apply');
    expect(await page.textContent('.field-error[data-field="architecture"]')).toBe(
      'A[3,8,2] does not fit the points (2 coordinates, 2 classes): use A[2,…,2] or A[2,…,1].',
    );
    expect(await page.textContent('.field-error[data-field="learningRate"]')).toBe(
      '-1 is outside 0.000001 … 10.',
    );
    expect(await page.getAttribute('input[name="architecture"]', 'aria-invalid')).toBe('true');
    await page.close();
  });

  it('rejects a damaged model file, one beyond the limits or float32, and keeps the network', async () => {
    const { page } = await open('?backend=ts');
    await page.waitForSelector('[data-testid="status"][data-state="ready"]');
    const dir = mkdtempSync(join(tmpdir(), 'twostep-bad-'));
    const good = JSON.parse(readFileSync(node.model, 'utf8'));
    const huge = structuredClone(good);
    huge.weights[1][4][7] = 1e300; // ts's default dtype is float32
    const wide = Network.create({ architecture: [2, 64, 2], activations: ['tanh', 'identity'] });
    const refusals: [object, RegExp][] = [
      [{ ...good, weights: good.weights.slice(1) }, /^Import failed: bad-0\.json: Model file: /],
      [huge, /^Import failed: W2\[4\]\[7\] .* is 1e\+300, beyond the float32 range/],
      [
        JSON.parse(serialize(wide)),
        /^Import failed: This model, A\[2,64,2\], does not fit the playground: hidden layers of at most 32 neurons here; 64 is too wide\./,
      ],
    ];
    for (const [i, [model, message]] of refusals.entries()) {
      const file = join(dir, `bad-${i}.json`);
      writeFileSync(file, JSON.stringify(model));
      await page.setInputFiles('[data-testid="import"]', file);
      await expect.poll(() => page.textContent('[data-testid="error"]')).toMatch(message);
      expect(await page.inputValue('input[name="architecture"]')).toBe('A[2,8,8,2]');
    }
    await page.close();
  });
});

/** Clicks Export and keeps the `count` files it downloads in `dir`, under their names. */
async function exportFiles(page: Page, count: number, dir: string): Promise<string[]> {
  const downloads: Download[] = [];
  const all = new Promise<void>((resolve) => {
    const take = (d: Download) => {
      if (downloads.push(d) < count) return;
      page.off('download', take);
      resolve();
    };
    page.on('download', take);
  });
  await page.click('[data-testid="export"]');
  await all;
  return Promise.all(
    downloads.map(async (d) => {
      const file = join(dir, d.suggestedFilename());
      await d.saveAs(file);
      return file;
    }),
  );
}

describe('model files', () => {
  it('exports ONNX and Layers files that import back, and saves and loads in this browser', async () => {
    const { page, errors } = await open('?backend=ts');
    await page.waitForSelector('[data-testid="status"][data-state="ready"]');
    await page.click('[data-testid="load"]');
    await expect
      .poll(() => page.textContent('[data-testid="error"]'))
      .toBe('Load failed: Nothing is saved in this browser yet: press Save in this browser first.');
    // A few steps, so that the weights differ from a reset's.
    for (let step = 1; step <= 3; step++) {
      await page.click('[data-testid="step"]');
      await expect.poll(() => value(page, 'steps')).toBe(step);
    }
    const weights = async () => (await lastTrace(page))?.weights;
    const trained = await weights();
    const accuracy = await value(page, 'test-accuracy');
    /** Reset, then `bringBack` the trained network: the same weights and test accuracy. */
    const restores = async (bringBack: () => Promise<unknown>) => {
      await page.click('[data-testid="reset"]');
      await expect.poll(weights).not.toEqual(trained);
      await bringBack();
      await expect.poll(weights).toEqual(trained);
      expect(await value(page, 'test-accuracy')).toBe(accuracy);
    };

    const dir = mkdtempSync(join(tmpdir(), 'twostep-export-'));
    await page.selectOption('[data-testid="export-format"]', 'onnx');
    const onnx = await exportFiles(page, 1, dir);
    expect(onnx.map((f) => f.slice(dir.length + 1))).toEqual(['twostep-toy-model.onnx']);
    await restores(() => page.setInputFiles('[data-testid="import"]', onnx));
    await page.selectOption('[data-testid="export-format"]', 'tfjs-layers');
    const layers = await exportFiles(page, 2, dir);
    expect(layers.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'model.json',
      'weights.bin',
    ]);
    await restores(() => page.setInputFiles('[data-testid="import"]', layers));

    await page.click('[data-testid="save"]');
    await expect
      .poll(() => page.textContent('[data-testid="stored"]'))
      .toBe('Saved A[2,8,8,2] in this browser: Load brings it back, also after a reload.');
    await restores(() => page.click('[data-testid="load"]'));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the bundle', () => {
  it('loads no backend code before a backend is chosen, and splits each into its own chunks', () => {
    const sizes = JSON.parse(readFileSync(join(APP, 'dist', 'sizes.json'), 'utf8')) as Sizes;
    // The `.wasm` files' URLs (`?url` modules, one string each) are not backend code.
    const backendModules = sizes.initial.modules.filter(
      (m) =>
        /@tensorflow|backend-ts|backend-tfjs|backend-webgpu/.test(m) && !m.endsWith('.wasm?url'),
    );
    expect(backendModules).toEqual([]);
    // @twostep/io (protobufjs) is loaded with the first file of another format, or Save/Load.
    expect(sizes.initial.modules.filter((m) => /protobufjs|packages\/io\//.test(m))).toEqual([]);
    expect(sizes.io.modules.some((m) => m.includes('protobufjs'))).toBe(true);
    for (const name of BACKENDS) expect(sizes.backends[name]!.files.length).toBeGreaterThan(0);
    // Each backend's chunks hold no other backend package: no TensorFlow.js in ts's or
    // webgpu's, no backend-ts or backend-webgpu in the tfjs ones.
    const modulesOf = (name: string, pattern: RegExp) =>
      sizes.backends[name]!.modules.filter((m) => pattern.test(m));
    expect(modulesOf('ts', /@tensorflow|\/backend-(tfjs|webgpu)\//)).toEqual([]);
    expect(modulesOf('webgpu', /@tensorflow|\/backend-(tfjs|ts)\//)).toEqual([]);
    for (const name of ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu']) {
      expect(modulesOf(name, /@tensorflow/)).not.toEqual([]);
      expect(modulesOf(name, /\/backend-(ts|webgpu)\//)).toEqual([]);
    }
    expect(modulesOf('tfjs-webgpu', /tfjs-backend-webgpu/)).not.toEqual([]);
    console.log(
      `initial ${sizes.initial.bytes} B (${sizes.initial.gzip} gzip); ` +
        Object.entries(sizes.backends)
          .map(([b, s]) => `${b} ${s.bytes} B (${s.gzip} gzip)`)
          .join('; ') +
        `; io ${sizes.io.bytes} B (${sizes.io.gzip} gzip)`,
    );
  });
});
