/**
 * A web app built from the packed packages with the two bundlers users reach for, run in
 * headless Chromium. The app (fixtures/app) declares the four built-in backends with
 * `defineBackends`, takes its backend from twostep.config.json or `?backend=`, trains XOR and
 * shows the result. It is typechecked against the packed types, built with `vite build` and
 * with `esbuild --bundle --splitting`, each served over HTTP, and checked page by page: the
 * configured backend and each one by URL train; an undeclared name is an UnknownBackendError
 * under its own name though the code is minified; the initial chunks hold no backend code,
 * and a page fetches only the chunks of the backend it picked. The Vite app also runs under
 * `vite` (dev). The chunk sizes measured are printed and written to .vitest/bundle-sizes.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../chromium/src/chromium.mjs';
import {
  env,
  expectLearned,
  FIXTURES,
  type LoadError,
  ROOT,
  type Scratch,
  scratch,
  sh,
} from './scratch.js';

const BACKENDS = ['ts', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl'] as const;
type BackendName = (typeof BACKENDS)[number];
/** The module each backend's loader imports, as it sits in node_modules. */
const ENTRY: Record<BackendName, string> = {
  ts: '@twostep/backend-ts/dist/index.js',
  'tfjs-cpu': '@twostep/backend-tfjs/dist/cpu.js',
  'tfjs-wasm': '@twostep/backend-tfjs/dist/wasm.js',
  'tfjs-webgl': '@twostep/backend-tfjs/dist/webgl.js',
};
/** Backend code: a module of a backend package or of TensorFlow.js. */
const BACKEND_CODE = /node_modules\/(@twostep\/backend-|@tensorflow\/)/;
/** What Vite's `?url` import of a .wasm file compiles to: its URL, a string. */
const ASSET_URL = /\.wasm\?url$/;
const EPOCHS = 40;

/** One JavaScript file of a build. */
interface Chunk {
  readonly bytes: number;
  readonly gzip: number;
  /** Files it imports statically, and with import(). */
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  /** The modules bundled into it (paths as the bundler gives them); unknown without a map. */
  readonly modules?: readonly string[];
  /** The module it is the chunk of, for an entry or an import() target. */
  readonly entryModule?: string;
}

interface Build {
  readonly dist: string;
  /** By path relative to `dist`, with `/`. */
  readonly chunks: ReadonlyMap<string, Chunk>;
  readonly entry: string;
}

type PageResult =
  | { backend: string; losses: number[]; error?: undefined }
  | { error: LoadError; backend?: undefined; losses?: undefined };

let s: Scratch;
let app: string;
const builds: Record<string, Build> = {};
const servers: Server[] = [];
const urls: Record<string, string> = {};
let browser: Browser;
/** Sizes for the release notes, by bundler. */
const sizes: Record<string, object> = {};

const bin = (name: string) => join(s.project, 'node_modules/.bin', name);
const posixPath = (path: string) => path.split(sep).join('/');

async function chunkOf(dist: string, file: string, rest: Omit<Chunk, 'bytes' | 'gzip'>) {
  const code = await readFile(join(dist, file));
  return { bytes: code.length, gzip: gzipSync(code).length, ...rest } satisfies Chunk;
}

/** `vite build`, read back through its manifest and each chunk's (hidden) source map. */
async function buildWithVite(): Promise<Build> {
  await sh(bin('vite'), ['build'], app);
  const dist = join(app, 'dist');
  const manifest = JSON.parse(await readFile(join(dist, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    { file: string; src?: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }
  >;
  const fileOf = (key: string) => manifest[key]!.file;
  const chunks = new Map<string, Chunk>();
  let entry = '';
  for (const item of Object.values(manifest)) {
    if (!item.file.endsWith('.js')) continue;
    // Rolldown's runtime chunk, made of no module, has no map.
    const map = join(dist, `${item.file}.map`);
    const sources = existsSync(map)
      ? (JSON.parse(await readFile(map, 'utf8')) as { sources: string[] }).sources
      : undefined;
    chunks.set(
      item.file,
      await chunkOf(dist, item.file, {
        imports: (item.imports ?? []).map(fileOf),
        dynamicImports: (item.dynamicImports ?? []).map(fileOf),
        ...(sources && {
          modules: sources.map((source) => posix.join(posix.dirname(item.file), source)),
        }),
        ...(item.src && { entryModule: item.src }),
      }),
    );
    if (item.isEntry) entry = item.file;
  }
  return { dist, chunks, entry };
}

/**
 * esbuild as its docs say for code splitting, minified, with the three .wasm files of
 * tfjs-backend-wasm copied next to the output (wasmPaths is that folder), read back through
 * its metafile.
 */
async function buildWithEsbuild(): Promise<Build> {
  const dist = join(app, 'dist-esbuild');
  const metafile = join(s.root, 'esbuild-meta.json');
  await sh(
    bin('esbuild'),
    [
      'main-esbuild.ts',
      '--bundle',
      '--splitting',
      '--format=esm',
      '--minify',
      '--outdir=dist-esbuild',
      `--metafile=${metafile}`,
    ],
    app,
  );
  const wasm = join(s.project, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ]) {
    await cp(join(wasm, file), join(dist, file));
  }
  // The page, loading esbuild's output in place of the source Vite reads.
  const html = await readFile(join(app, 'index.html'), 'utf8');
  expect(html).toContain('src="./main-vite.ts"');
  await writeFile(join(dist, 'index.html'), html.replace('./main-vite.ts', './main-esbuild.js'));
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as {
    outputs: Record<
      string,
      {
        imports: { path: string; kind: string }[];
        inputs: Record<string, unknown>;
        entryPoint?: string;
      }
    >;
  };
  const inDist = (path: string) => posixPath(relative(dist, join(app, path)));
  const chunks = new Map<string, Chunk>();
  for (const [path, output] of Object.entries(meta.outputs)) {
    if (!path.endsWith('.js')) continue;
    const of = (kind: string) =>
      output.imports.filter((i) => i.kind === kind).map((i) => inDist(i.path));
    chunks.set(
      inDist(path),
      await chunkOf(dist, inDist(path), {
        imports: of('import-statement'),
        dynamicImports: of('dynamic-import'),
        modules: Object.keys(output.inputs),
        ...(output.entryPoint && { entryModule: output.entryPoint }),
      }),
    );
  }
  return { dist, chunks, entry: 'main-esbuild.js' };
}

/**
 * The files reachable from `start` through static imports (and import() if `dynamic`), not
 * going through the files of `known`.
 */
function closure(
  build: Build,
  start: readonly string[],
  dynamic: boolean,
  known: ReadonlySet<string> = new Set(),
): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || known.has(file)) return;
    seen.add(file);
    const chunk = build.chunks.get(file);
    if (!chunk) throw new Error(`${file} is imported but is not a chunk of the build`);
    for (const next of [...chunk.imports, ...(dynamic ? chunk.dynamicImports : [])]) visit(next);
  };
  for (const file of start) visit(file);
  return seen;
}

/** What the page loads before any backend: the entry and its static imports. */
const initialChunks = (build: Build) => closure(build, [build.entry], false);

/** What picking `backend` adds to the initial chunks: its entry's chunk and all that reaches. */
function backendChunks(build: Build, backend: BackendName): Set<string> {
  const start = [...build.chunks].find(([, c]) => c.entryModule?.endsWith(ENTRY[backend]));
  if (!start) throw new Error(`No chunk for ${ENTRY[backend]} in ${[...build.chunks.keys()]}`);
  return closure(build, [start[0]], true, initialChunks(build));
}

const total = (build: Build, files: Iterable<string>) => {
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    bytes += build.chunks.get(f)!.bytes;
    gzip += build.chunks.get(f)!.gzip;
  }
  return { bytes, gzip };
};

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

/**
 * The page at `base + search`: what it wrote into #result, the files under `base` it requested
 * (paths relative to `base`), and its uncaught errors and console output, for messages.
 */
async function visit(base: string, search: string) {
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

const expectTrained = (result: PageResult, backend: string, output: string) => {
  expect(result.error, output).toBeUndefined();
  expect(result.backend, output).toBe(backend);
  expectLearned(result.losses, EPOCHS, output);
};

beforeAll(async () => {
  s = scratch();
  app = join(s.project, 'app');
  await cp(join(FIXTURES, 'app'), app, { recursive: true });
  // The app typechecks against the packed .d.ts (and Vite's client types) with the
  // workspace's TypeScript; then both builds, side by side.
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const [, vite, esbuild] = await Promise.all([
    sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app),
    buildWithVite(),
    buildWithEsbuild(),
  ]);
  builds.vite = vite;
  builds.esbuild = esbuild;
  urls.vite = await serve(vite.dist);
  urls.esbuild = await serve(esbuild.dist);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
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
    const { stdout } = await sh(bin('esbuild'), ['--version'], s.project);
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
    const { result, output } = await visit(urls[bundler]!, '');
    expectTrained(result, 'tfjs-cpu', output);
  });

  it.each(BACKENDS)(
    'trains on ?backend=%s, fetching only that backend’s chunks',
    async (backend) => {
      const { result, requested, output } = await visit(urls[bundler]!, `?backend=${backend}`);
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
    const { result, requested, output } = await visit(urls[bundler]!, '?backend=tfjs-wgpu');
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

describe('the app under vite (dev server)', () => {
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    server = spawn(bin('vite'), ['--host', '127.0.0.1', '--port', '0', '--strictPort'], {
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
    const { result, output } = await visit(url, `?backend=${backend}`);
    expectTrained(result, backend, output);
  });
});
