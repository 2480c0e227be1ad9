/**
 * The web app's two builds, `vite build` and `esbuild --bundle --splitting`, each read back as
 * its chunks (sizes, imports, the modules bundled in), and what a page loads from them: the
 * initial chunks, and the chunks that picking a backend adds.
 */
import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { bin } from './app.js';
import { type Scratch, sh } from './scratch.js';

export const BACKENDS = ['ts', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl'] as const;
type BackendName = (typeof BACKENDS)[number];
/** The module each backend's loader imports, as it sits in node_modules. */
export const ENTRY: Record<BackendName, string> = {
  ts: '@twostep/backend-ts/dist/index.js',
  'tfjs-cpu': '@twostep/backend-tfjs/dist/cpu.js',
  'tfjs-wasm': '@twostep/backend-tfjs/dist/wasm.js',
  'tfjs-webgl': '@twostep/backend-tfjs/dist/webgl.js',
};

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

export interface Build {
  readonly dist: string;
  /** By path relative to `dist`, with `/`. */
  readonly chunks: ReadonlyMap<string, Chunk>;
  readonly entry: string;
}

const posixPath = (path: string) => path.split(sep).join('/');

async function chunkOf(dist: string, file: string, rest: Omit<Chunk, 'bytes' | 'gzip'>) {
  const code = await readFile(join(dist, file));
  return { bytes: code.length, gzip: gzipSync(code).length, ...rest } satisfies Chunk;
}

/** `vite build`, read back through its manifest and each chunk's (hidden) source map. */
export async function buildWithVite(s: Scratch, app: string): Promise<Build> {
  await sh(bin(s, 'vite'), ['build'], app);
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
export async function buildWithEsbuild(s: Scratch, app: string): Promise<Build> {
  const dist = join(app, 'dist-esbuild');
  const metafile = join(s.root, 'esbuild-meta.json');
  await sh(
    bin(s, 'esbuild'),
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
export const initialChunks = (build: Build) => closure(build, [build.entry], false);

/** What picking `backend` adds to the initial chunks: its entry's chunk and all that reaches. */
export function backendChunks(build: Build, backend: BackendName): Set<string> {
  const start = [...build.chunks].find(([, c]) => c.entryModule?.endsWith(ENTRY[backend]));
  if (!start) throw new Error(`No chunk for ${ENTRY[backend]} in ${[...build.chunks.keys()]}`);
  return closure(build, [start[0]], true, initialChunks(build));
}

export const total = (build: Build, files: Iterable<string>) => {
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    bytes += build.chunks.get(f)!.bytes;
    gzip += build.chunks.get(f)!.gzip;
  }
  return { bytes, gzip };
};
