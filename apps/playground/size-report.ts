/**
 * What the page loads, measured at build time: the initial JavaScript (the page's entry and
 * the worker's, with what they import statically) and, per backend and for `@twostep/io`, the
 * chunks its dynamic import adds. Printed after `vite build` and written to `dist/sizes.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The module each backend's import() starts from (its entry, as source or built file). */
const BACKEND_ENTRIES: Record<string, RegExp> = {
  ts: /backend-ts\/(src|dist)\/index\.[jt]s$/,
  webgpu: /backend-webgpu\/(src|dist)\/index\.[jt]s$/,
  'tfjs-cpu': /backend-tfjs\/(src|dist)\/cpu\.[jt]s$/,
  'tfjs-webgl': /backend-tfjs\/(src|dist)\/webgl\.[jt]s$/,
  'tfjs-webgpu': /backend-tfjs\/(src|dist)\/webgpu\.[jt]s$/,
  'tfjs-wasm': /backend-tfjs\/(src|dist)\/wasm\.[jt]s$/,
};

/** `@twostep/io`, which the worker imports for the ONNX and Layers formats and the store. */
const IO_ENTRY = /io\/(src|dist)\/index\.[jt]s$/;

interface Size {
  readonly bytes: number;
  readonly gzip: number;
}

export interface Sizes {
  /** JavaScript the page loads before any backend: its entry and the worker's. */
  readonly initial: Size & { readonly files: string[]; readonly modules: string[] };
  /** JavaScript each backend adds when chosen (chunks shared by tfjs backends count in each). */
  readonly backends: Record<string, Chunks>;
  /** JavaScript the first import, export or save in another format adds (protobufjs). */
  readonly io: Chunks;
  /** WebAssembly binaries the bundle serves (tfjs-wasm loads one of its three). */
  readonly wasm: Record<string, number>;
}

type Chunks = Size & { readonly files: string[]; readonly modules: string[] };

interface Chunk {
  readonly file: string;
  readonly code: string;
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  readonly isEntry: boolean;
  readonly facade: string | null;
  readonly modules: readonly string[];
}

const size = (chunks: Chunk[]): Size => ({
  bytes: chunks.reduce((n, c) => n + Buffer.byteLength(c.code), 0),
  gzip: chunks.reduce((n, c) => n + gzipSync(c.code).length, 0),
});

/** The chunks `roots` load, following static imports. */
function closure(roots: Chunk[], byFile: Map<string, Chunk>): Chunk[] {
  const seen = new Map<string, Chunk>();
  const visit = (c: Chunk) => {
    if (seen.has(c.file)) return;
    seen.set(c.file, c);
    for (const f of c.imports) if (byFile.has(f)) visit(byFile.get(f)!);
  };
  for (const r of roots) visit(r);
  return [...seen.values()];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * `[collect, report]`: put both in `plugins` and `collect` in `worker.plugins` too (the
 * worker's bundle is built apart; the report runs when the page's build closes).
 */
export function sizeReport(): Plugin[] {
  const chunks: Chunk[] = [];
  const wasm: Record<string, number> = {};
  let outDir = 'dist';
  const collect: Plugin = {
    name: 'twostep-size-collect',
    apply: 'build',
    generateBundle(_, bundle) {
      for (const item of Object.values(bundle)) {
        if (item.type === 'asset') {
          if (item.fileName.endsWith('.wasm')) wasm[item.fileName] = item.source.length;
          continue;
        }
        chunks.push({
          file: item.fileName,
          code: item.code,
          imports: item.imports,
          dynamicImports: item.dynamicImports,
          isEntry: item.isEntry,
          facade: item.facadeModuleId,
          modules: item.moduleIds,
        });
      }
    },
  };
  const report: Plugin = {
    name: 'twostep-size-report',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const byFile = new Map(chunks.map((c) => [c.file, c]));
      const initial = closure(
        chunks.filter((c) => c.isEntry),
        byFile,
      );
      const initialFiles = new Set(initial.map((c) => c.file));
      /** The chunks the dynamic import of `entry` adds to the initial ones. */
      const lazy = (entry: RegExp, missing: string): Chunks => {
        const entries = chunks.filter((c) => c.facade && entry.test(c.facade));
        if (entries.length !== 1) throw new Error(`size report: ${missing}`);
        // The entry, and the code it imports when it runs (a backend's, when it is created).
        const roots = [
          entries[0]!,
          ...entries[0]!.dynamicImports.flatMap((f) => byFile.get(f) ?? []),
        ];
        const own = closure(roots, byFile).filter((c) => !initialFiles.has(c.file));
        return {
          ...size(own),
          files: own.map((c) => c.file),
          modules: own.flatMap((c) => c.modules),
        };
      };
      const backends = Object.fromEntries(
        Object.entries(BACKEND_ENTRIES).map(([name, entry]) => [
          name,
          lazy(
            entry,
            `the chunks of backend ${name} were not found; is its import() still in src/backends.ts?`,
          ),
        ]),
      );
      const sizes: Sizes = {
        initial: {
          ...size(initial),
          files: initial.map((c) => c.file),
          modules: initial.flatMap((c) => c.modules),
        },
        backends,
        io: lazy(
          IO_ENTRY,
          "the chunk of @twostep/io was not found; does the worker still import('@twostep/io')?",
        ),
        wasm,
      };
      writeFileSync(join(outDir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
      const lines = [
        `initial JavaScript (page + worker, no backend): ${kb(sizes.initial.bytes)}, ${kb(sizes.initial.gzip)} gzip`,
        ...Object.entries({ ...backends, io: sizes.io }).map(
          ([name, s]) => `  + ${name.padEnd(11)} ${kb(s.bytes).padStart(10)}, ${kb(s.gzip)} gzip`,
        ),
        ...Object.entries(wasm).map(([file, bytes]) => `  wasm ${file} ${kb(bytes)}`),
      ];
      console.log(lines.join('\n'));
    },
  };
  return [collect, report];
}
