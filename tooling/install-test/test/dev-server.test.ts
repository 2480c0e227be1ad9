/**
 * The web app of bundlers.test.ts under `vite` (dev), served from its source: each backend
 * picked by URL trains in headless Chromium.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bin, copyApp, expectTrained, launchChromium, visit } from './app.js';
import { env, type Scratch, scratch } from './scratch.js';

let s: Scratch;
let app: string;
let browser: Browser;

beforeAll(async () => {
  s = scratch();
  app = await copyApp(s);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the app under vite (dev server)', () => {
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    server = spawn(bin(s, 'vite'), ['--host', '127.0.0.1', '--port', '0', '--strictPort'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vite did not start:\n${output}`)), 60_000);
      const read = (data: Buffer) => {
        output += data.toString();
        const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      server!.stdout!.on('data', read);
      server!.stderr!.on('data', read);
      server!.on('exit', (code) => reject(new Error(`vite exited (${code}):\n${output}`)));
    });
  });

  afterAll(() => {
    server?.kill();
  });

  it.each(['ts', 'tfjs-cpu', 'tfjs-wasm'])('trains on ?backend=%s', async (backend) => {
    const { result, output } = await visit(browser, url, `?backend=${backend}`);
    expectTrained(result, backend, output);
  });
});
