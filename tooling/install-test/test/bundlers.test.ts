/**
 * A web app built from the packed packages with the two bundlers users reach for, run in
 * headless Chromium. The app (fixtures/app) declares the four built-in backends with
 * `defineBackends`, takes its backend from twostep.config.json or `?backend=`, trains XOR and
 * shows the result. It is typechecked against the packed types, built with `vite build` and
 * with `esbuild --bundle --splitting`, each served over HTTP, and checked page by page: the
 * configured backend and each one by URL train; an undeclared name is an UnknownBackendError
 * under its own name though the code is minified; the initial chunks hold no backend code,
 * and a page fetches only the chunks of the backend it picked (the builds: builds.ts; the same
 * app under `vite` dev: dev-server.test.ts). The chunk sizes measured are printed and written
 * to .vitest/bundle-sizes.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, copyApp, expectTrained, launchChromium, visit } from './app.js';
import {
  BACKENDS,
  type Build,
  backendChunks,
  buildWithEsbuild,
  buildWithVite,
  ENTRY,
  initialChunks,
  total,
} from './builds.js';
import { ROOT, type Scratch, scratch, sh } from './scratch.js';

/** Backend code: a module of a backend package or of TensorFlow.js. */
const BACKEND_CODE = /node_modules\/(@twostep\/backend-|@tensorflow\/)/;
/** What Vite's `?url` import of a .wasm file compiles to: its URL, a string. */
const ASSET_URL = /\.wasm\?url$/;

let s: Scratch;
let app: string;
const builds: Record<string, Build> = {};
const servers: Server[] = [];
const urls: Record<string, string> = {};
let browser: Browser;
/** Sizes for the release notes, by bundler. */
const sizes: Record<string, object> = {};

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A static file server for `dir` on 127.0.0.1; its URL, ending in `/`. */
async function serve(dir: string): Promise<string> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      if (!file.startsWith(dir + sep)) throw new Error('outside');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

beforeAll(async () => {
  s = scratch();
  app = await copyApp(s);
  // The app typechecks against the packed .d.ts (and Vite's client types) with the
  // workspace's TypeScript; then both builds, side by side.
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const [, vite, esbuild] = await Promise.all([
    sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app),
    buildWithVite(s, app),
    buildWithEsbuild(s, app),
  ]);
  builds.vite = vite;
  builds.esbuild = esbuild;
  urls.vite = await serve(vite.dist);
  urls.esbuild = await serve(esbuild.dist);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  if (Object.keys(sizes).length > 0) {
    const dir = fileURLToPath(new URL('../.vitest/', import.meta.url));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'bundle-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    console.log(`bundle sizes (bytes, gzip):\n${JSON.stringify(sizes, null, 1)}`);
  }
});

describe('the bundlers install without install scripts', () => {
  it('esbuild runs from its optional platform package, its postinstall not run', async () => {
    const manifest = JSON.parse(
      await readFile(join(s.project, 'node_modules/esbuild/package.json'), 'utf8'),
    );
    // It has one (it checks the binary), which npm install --ignore-scripts skipped.
    expect(manifest.scripts?.postinstall).toBeDefined();
    const version = s.explicit.find((spec) => spec.startsWith('esbuild@'))!.split('@')[1];
    const { stdout } = await sh(bin(s, 'esbuild'), ['--version'], s.project);
    expect(stdout.trim()).toBe(version);
    const platform = `@esbuild/${process.platform}-${process.arch}`;
    expect(existsSync(join(s.project, 'node_modules', platform)), platform).toBe(true);
  });
});

describe.each(['vite', 'esbuild'])('the app bundled by %s', (bundler) => {
  const build = () => builds[bundler]!;

  it('has initial chunks with @twostep/core and no backend code', () => {
    const initial = initialChunks(build());
    const modules = [...initial].flatMap((f) => {
      const chunk = build().chunks.get(f)!;
      expect(chunk.modules, `the modules of ${f}`).toBeDefined();
      return chunk.modules!;
    });
    expect(modules.some((m) => m.includes('node_modules/@twostep/core/'))).toBe(true);
    const backendCode = modules.filter((m) => BACKEND_CODE.test(m) && !ASSET_URL.test(m));
    expect(backendCode, [...initial].join()).toEqual([]);
    // Each backend's code is in chunks of its own.
    for (const backend of BACKENDS) {
      const own = [...backendChunks(build(), backend)].flatMap(
        (f) => build().chunks.get(f)!.modules ?? [],
      );
      expect(
        own.some((m) => m.includes(`node_modules/${ENTRY[backend]}`)),
        backend,
      ).toBe(true);
    }
    const chunks = Object.fromEntries(
      BACKENDS.map((b) => [b, total(build(), backendChunks(build(), b))]),
    );
    sizes[bundler] = {
      initial: { files: initial.size, ...total(build(), initial) },
      ...chunks,
    };
  });

  it('is minified: no class keeps its name in the initial chunks', async () => {
    for (const file of initialChunks(build())) {
      const code = await readFile(join(build().dist, file), 'utf8');
      expect(code, file).not.toMatch(/class (TwoStepError|UnknownBackendError)\b/);
    }
  });

  it('trains on the backend of twostep.config.json (tfjs-cpu) when the URL names none', async () => {
    const config = JSON.parse(await readFile(join(app, 'twostep.config.json'), 'utf8'));
    expect(config.backend).toBe('tfjs-cpu');
    const { result, output } = await visit(browser, urls[bundler]!, '');
    expectTrained(result, 'tfjs-cpu', output);
  });

  it.each(BACKENDS)(
    'trains on ?backend=%s, fetching only that backend’s chunks',
    async (backend) => {
      const { result, requested, output } = await visit(
        browser,
        urls[bundler]!,
        `?backend=${backend}`,
      );
      expectTrained(result, backend, output);
      const js = [...requested].filter((f) => f.endsWith('.js')).sort();
      const expected = [...initialChunks(build()), ...backendChunks(build(), backend)].sort();
      expect(js, output).toEqual(expected);
      const wasm = [...requested].filter((f) => f.endsWith('.wasm'));
      expect(wasm.length, output).toBe(backend === 'tfjs-wasm' ? 1 : 0);
      if (backend === 'tfjs-wasm') {
        const file = join(build().dist, wasm[0]!);
        Object.assign(sizes[bundler] ?? {}, {
          'tfjs-wasm .wasm file fetched': {
            file: wasm[0],
            bytes: (await stat(file)).size,
            gzip: gzipSync(await readFile(file)).length,
          },
        });
      }
    },
  );

  it('says UnknownBackendError, by name, for an undeclared name, and fetches no backend', async () => {
    const { result, requested, output } = await visit(
      browser,
      urls[bundler]!,
      '?backend=tfjs-wgpu',
    );
    expect(result.error, output).toEqual({
      name: 'UnknownBackendError',
      code: 'UNKNOWN_BACKEND',
      message:
        "Unknown backend 'tfjs-wgpu': this app declares 'ts', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl'.",
    });
    const js = [...requested].filter((f) => f.endsWith('.js')).sort();
    expect(js, output).toEqual([...initialChunks(build())].sort());
  });
});
