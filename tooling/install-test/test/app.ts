/**
 * The web app of fixtures/app in the scratch project, as the bundler tests drive it: copied in,
 * its pages opened in headless Chromium, and what a page wrote into #result checked.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../chromium/src/chromium.mjs';
import { expectLearned, FIXTURES, type LoadError, type Scratch } from './scratch.js';

/** How many epochs the app trains XOR for. */
const EPOCHS = 40;

type PageResult =
  | { backend: string; losses: number[]; error?: undefined }
  | { error: LoadError; backend?: undefined; losses?: undefined };

/** A command the project installed (`vite`, `esbuild`). */
export const bin = (s: Scratch, name: string) => join(s.project, 'node_modules/.bin', name);

/** The app copied into the project, `<project>/app`; its path. */
export async function copyApp(s: Scratch): Promise<string> {
  const app = join(s.project, 'app');
  await cp(join(FIXTURES, 'app'), app, { recursive: true });
  return app;
}

/** Headless Chromium, as every browser test starts it. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });

/**
 * The page at `base + search`: what it wrote into #result, the files under `base` it requested
 * (paths relative to `base`), and its uncaught errors and console output, for messages.
 */
export async function visit(browser: Browser, base: string, search: string) {
  const page = await browser.newPage();
  const requested = new Set<string>();
  const log: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(base)) requested.add(new URL(r.url()).pathname.slice(1));
  });
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  try {
    await page.goto(`${base}${search}`);
    await page.waitForSelector('#result[data-state="done"]', { timeout: 100_000 });
    const text = (await page.textContent('#result')) ?? '';
    const output = `${base}${search}\n#result: ${text}\n${log.join('\n')}`;
    return { result: JSON.parse(text) as PageResult, requested, log, output };
  } finally {
    await page.close();
  }
}

export const expectTrained = (result: PageResult, backend: string, output: string) => {
  expect(result.error, output).toBeUndefined();
  expect(result.backend, output).toBe(backend);
  expectLearned(result.losses, EPOCHS, output);
};
