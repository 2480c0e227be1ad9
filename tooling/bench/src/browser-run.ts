/**
 * `pnpm bench --browser`: the built bench page (dist/browser, from browser/ by `vite build`)
 * served by Vite's preview server and driven in Chromium (tooling/chromium's, with WebGPU),
 * a fresh page for every (trainer, workload, repetition), interleaved as in Node. The page
 * fetches the digits from this process (data.ts's packed file), so nothing is downloaded.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MNIST_FILE } from '@twostep/datasets/mnist';
import type { Page } from 'playwright';
import { CHROMIUM_ARGS, chromiumPath } from '../../chromium/src/chromium.mjs';
import type { BenchPage, BrowserEnvironment, BrowserTrainer, PageRun } from './browser.js';
import { packedDigits } from './data.js';
import type { WorkloadName } from './protocol.js';
import type { Run } from './report.js';

const PAGE = fileURLToPath(new URL('../dist/browser/', import.meta.url));

/** The longest one run may take before it counts as failed, in minutes. */
const RUN_MINUTES = { quick: 5, full: 45 };

export interface BrowserOptions {
  readonly quick: boolean;
  readonly trainers: readonly BrowserTrainer[];
  readonly workloads: readonly WorkloadName[];
  readonly repeat: number;
  /** Told of each run as it ends, with how many have ended and will run in all. */
  readonly progress: (run: Run, done: number, total: number) => void;
}

export interface BrowserBench {
  readonly runs: Run[];
  /** The browser's version and what the page says of its adapters. */
  readonly environment: BrowserEnvironment;
}

type BenchGlobal = typeof globalThis & { bench: BenchPage };

/** `promise`, or a rejection after `ms` milliseconds (then `onTimeout` runs). */
function within<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      onTimeout();
      fail(new Error(`timed out after ${ms / 60_000} min`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runBrowserBench(options: BrowserOptions): Promise<BrowserBench> {
  const { quick, trainers, workloads, repeat, progress } = options;
  if (!existsSync(`${PAGE}index.html`)) {
    throw new Error(
      `the bench page is not built (${PAGE}): run \`pnpm bench --browser\` from the root, which builds it, or \`pnpm --filter @twostep/bench build\`.`,
    );
  }
  // Loaded here: the Node bench needs neither.
  const [{ preview }, { chromium }] = await Promise.all([import('vite'), import('playwright')]);
  const digits = Buffer.from(packedDigits());
  const server = await preview({
    root: PAGE,
    configFile: false,
    logLevel: 'silent',
    build: { outDir: PAGE },
    preview: { port: 0, host: '127.0.0.1', open: false },
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS],
  });
  try {
    const url = server.resolvedUrls!.local[0]!;
    /** A fresh page of the bench, its uncaught errors collected. */
    const open = async (): Promise<{ page: Page; errors: string[] }> => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.route(`**/${MNIST_FILE}`, (route) =>
        route.fulfill({ body: digits, contentType: 'application/octet-stream' }),
      );
      await page.goto(url);
      await page.waitForFunction(() => 'bench' in globalThis);
      return { page, errors };
    };

    const first = await open();
    const environment = {
      browser: `Chromium ${browser.version()}`,
      ...(await first.page.evaluate(() => (globalThis as BenchGlobal).bench.environment())),
    };
    await first.page.close();

    const plan = workloads.flatMap((w) => trainers.map((t) => [t, w] as const));
    const total = repeat * plan.length;
    const runs: Run[] = [];
    const limit = (quick ? RUN_MINUTES.quick : RUN_MINUTES.full) * 60_000;
    for (let repetition = 1; repetition <= repeat; repetition++) {
      for (const [trainer, workload] of plan) {
        const started = performance.now();
        const { page, errors } = await open();
        const base = { trainer, workload, repetition };
        let run: Run;
        try {
          const outcome: PageRun = await within(
            page.evaluate(([t, w, q]) => (globalThis as BenchGlobal).bench.run(t, w, q), [
              trainer,
              workload,
              quick,
            ] as const),
            limit,
            () => void page.close(),
          );
          const seconds = (performance.now() - started) / 1000;
          run =
            'result' in outcome
              ? { ...base, seconds, status: 'ok', result: outcome.result }
              : { ...base, seconds, status: 'skipped', error: outcome.unavailable };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const seconds = (performance.now() - started) / 1000;
          run = { ...base, seconds, status: 'failed', error: [message, ...errors].join('\n') };
        } finally {
          await page.close();
        }
        runs.push(run);
        progress(run, runs.length, total);
      }
    }
    return { runs, environment };
  } finally {
    await browser.close();
    await server.close();
  }
}
