/**
 * What a release would publish, checked before it does: every package under packages/ that is
 * not private is packed with `pnpm pack` (as `changeset publish` packs it, through pnpm, with
 * `workspace:` ranges rewritten), and its tarball must
 * - hold the root LICENSE and the README, and nothing but those, package.json, dist/ and src/;
 * - name its repository folder, homepage and issue tracker;
 * - pass `publint --strict`, and attw with the `esm-only` profile (attw.mjs says why);
 * - point every export condition, `sourceMappingURL` and source map entry at a packed file;
 * - load with `require()` on Node >= 20.19, through the `default` condition of each export;
 * - link only to absolute URLs from its README (relative ones break on the registry's page),
 *   and to files of this repository that exist.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REPOSITORY = 'https://github.com/twostep-js/twostep';

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The publishable packages: packages/* without `"private": true`. */
const folders = readdirSync(join(ROOT, 'packages')).filter((name) => {
  const file = join(ROOT, 'packages', name, 'package.json');
  return existsSync(file) && !(JSON.parse(readFileSync(file, 'utf8')) as Manifest).private;
});

/** Runs a command; a failure carries the command, its folder, stdout and stderr. */
async function run(file: string, args: readonly string[], cwd: string) {
  try {
    return await promisify(execFile)(file, args, {
      cwd,
      maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(' ')} failed in ${cwd}\n${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`,
    );
  }
}

/** A promise that never rejects, so it can start now and be awaited by a later test. */
const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => () => value,
    (error: unknown) => () => {
      throw error;
    },
  );

interface Packed {
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: Set<string>;
  /** Where the tarball is unpacked: node_modules/<name> of the scratch project. */
  dir: string;
  manifest: Manifest;
}

interface AttwResult {
  types: boolean;
  entrypoints: string[];
  code: number;
  problems: string;
}

let scratch: string;
const packed = new Map<string, Packed>();
let attw: Promise<() => Record<string, AttwResult>>;

/** The subpaths of `exports` that name modules, as specifiers: `@twostep/backend-tfjs/cpu`. */
const moduleSpecifiers = ({ name, exports = {} }: Manifest) =>
  Object.keys(exports)
    .filter((subpath) => !subpath.includes('*') && !subpath.endsWith('.json'))
    .map((subpath) => posix.join(name, subpath));

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'twostep-publish-')));
  await writeFile(join(scratch, 'package.json'), '{ "name": "scratch", "private": true }\n');
  await Promise.all(
    folders.map(async (folder) => {
      const { stdout } = await run(
        'pnpm',
        ['pack', '--json', '--pack-destination', scratch],
        join(ROOT, 'packages', folder),
      );
      const { name, filename } = JSON.parse(stdout) as { name: string; filename: string };
      const dir = join(scratch, 'node_modules', name);
      await mkdir(dir, { recursive: true });
      await run('tar', ['-xzf', filename, '-C', dir, '--strip-components=1'], scratch);
      const listing = (await run('tar', ['-tzf', filename], scratch)).stdout;
      const files = new Set(
        listing
          .split('\n')
          .filter((line) => line && !line.endsWith('/'))
          .map((line) => line.replace(/^package\//, '')),
      );
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
      packed.set(folder, { tarball: filename, files, dir, manifest });
    }),
  );
  // attw loads a TypeScript of its own: one process for every tarball, started now.
  const script = fileURLToPath(new URL('../attw.mjs', import.meta.url));
  const tarballs = [...packed.values()].map((p) => p.tarball);
  attw = settle(
    run(process.execPath, [script, ...tarballs], scratch).then(({ stdout }) => JSON.parse(stdout)),
  );
  // What the registry would install with the packages (their dependencies: mnist, Iris) and
  // the peers a user installs next to them (tfjs, Vitest): linked from the workspace.
  for (const [folder, { manifest }] of packed) {
    const needs = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const name of Object.keys(needs)) {
      const target = join(scratch, 'node_modules', name);
      const installed = join(ROOT, 'packages', folder, 'node_modules', name);
      if (existsSync(target) || !existsSync(installed)) continue;
      await mkdir(dirname(target), { recursive: true });
      await symlink(await realpath(installed), target, 'dir');
    }
  }
}, 120_000);

afterAll(async () => {
  await attw;
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The packed package of `folder`, after beforeAll. */
const get = (folder: string): Packed => packed.get(folder)!;

/** Every file path named by an `exports` map, under any condition, without its `./`. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Markdown link targets outside code: inline links and images, references, HTML attributes. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, 'code');
  return [
    ...prose.matchAll(/\]\(\s*<?([^)\s>]+)/g),
    ...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)/gm),
    ...prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g),
  ].map((match) => match[1]!);
}

it('finds the publishable packages', () => {
  expect(folders).toEqual(
    expect.arrayContaining(['core', 'backend-ts', 'backend-tfjs', 'conformance', 'datasets']),
  );
});

it('has an MIT LICENSE at the root', () => {
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the twostep authors\n/);
  expect(license).toContain('Permission is hereby granted, free of charge, to any person');
});

it('runs on a Node.js that can require() ES modules (>= 20.19)', () => {
  const features = process.features as { require_module?: boolean };
  expect(features.require_module, process.version).toBe(true);
});

describe('the packages it packs', () => {
  it('are all its devDependencies, so that turbo builds them before this test packs them', () => {
    const own = JSON.parse(
      readFileSync(join(ROOT, 'tooling', 'publish-check', 'package.json'), 'utf8'),
    ) as {
      devDependencies: Record<string, string>;
    };
    const names = folders.map(
      (folder) =>
        (
          JSON.parse(readFileSync(join(ROOT, 'packages', folder, 'package.json'), 'utf8')) as {
            name: string;
          }
        ).name,
    );
    expect(names.filter((name) => !own.devDependencies[name])).toEqual([]);
  });
});

describe.each(folders)('packages/%s', (folder) => {
  it('packs LICENSE (the root one), README.md and package.json, besides dist/ and src/', () => {
    const { files, dir } = get(folder);
    const top = new Set([...files].map((file) => file.split('/')[0]));
    expect([...top].sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json', 'src']);
    // pnpm packs the package folder's own LICENSE: a committed copy of the root one.
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `packages/${folder}/LICENSE`).toBe(
      readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
    );
  });

  it('names its license, repository folder, homepage and issue tracker', () => {
    const { manifest } = get(folder);
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: `packages/${folder}`,
    });
    expect(manifest.homepage).toBe(`${REPOSITORY}/tree/main/packages/${folder}#readme`);
    expect(manifest.bugs).toBe(`${REPOSITORY}/issues`);
  });

  it('passes publint --strict', async () => {
    const data = readFileSync(get(folder).tarball);
    const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    const { messages, pkg } = await publint({ pack: { tarball }, strict: true });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`)).toEqual([]);
  });

  it('passes attw --profile esm-only', async () => {
    const { manifest, tarball } = get(folder);
    const result = (await attw)()[tarball]!;
    expect(result.code, `attw --profile esm-only found problems:\n${result.problems}`).toBe(0);
    // attw passes a package without types; these have them.
    expect(result.types).toBe(true);
    expect(result.entrypoints.sort()).toEqual(Object.keys(manifest.exports ?? {}).sort());
  });

  it('points every export condition at a packed file', () => {
    const { files, manifest } = get(folder);
    const targets = exportTargets(manifest.exports);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(files, target).toContain(target);
  });

  it('packs the source maps and the sources they point at', async () => {
    const { files, dir } = get(folder);
    const emitted = [...files].filter((f) => f.startsWith('dist/') && /\.(js|d\.ts)$/.test(f));
    expect(emitted.length).toBeGreaterThan(0);
    for (const file of emitted) {
      const text = await readFile(join(dir, file), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      expect(url, `${file} has no sourceMappingURL`).toBeDefined();
      const map = posix.join(posix.dirname(file), url!);
      expect(files, `${file} -> ${map}`).toContain(map);
      const { sources } = JSON.parse(await readFile(join(dir, map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        expect(files, `${map} -> ${source}`).toContain(posix.join(posix.dirname(map), source));
      }
    }
  });

  it('loads with require() through every export, as import() loads it', async () => {
    const specifiers = moduleSpecifiers(get(folder).manifest);
    const script = `(async () => {
      const keys = (m) => Object.keys(m).sort();
      const out = {};
      for (const s of ${JSON.stringify(specifiers)}) {
        out[s] = { required: keys(require(s)), imported: keys(await import(s)) };
      }
      console.log(JSON.stringify(out));
    })();`;
    const { stdout } = await run(process.execPath, ['-e', script], scratch);
    const loaded = JSON.parse(stdout) as Record<string, { required: string[]; imported: string[] }>;
    expect(Object.keys(loaded)).toEqual(specifiers);
    for (const [specifier, { required, imported }] of Object.entries(loaded)) {
      expect(required.length, specifier).toBeGreaterThan(0);
      expect(required, specifier).toEqual(imported);
    }
  });

  it('links only to absolute URLs from its README, and to files that exist', async () => {
    const readme = await readFile(join(get(folder).dir, 'README.md'), 'utf8');
    for (const target of linkTargets(readme)) {
      expect(target, 'a relative link breaks on the npm registry page').toMatch(
        /^(https?:\/\/|mailto:|#)/,
      );
      const own = new RegExp(`^${REPOSITORY}/(blob|tree)/main/([^#?]*)`).exec(target);
      if (!own) continue;
      const path = join(ROOT, decodeURIComponent(own[2]!));
      expect(existsSync(path), `${target}: no ${path}`).toBe(true);
      expect(own[1], `${target}: blob/ for files, tree/ for folders`).toBe(
        statSync(path).isDirectory() ? 'tree' : 'blob',
      );
    }
  });
});

// The TypeScript side of require(): a CommonJS file compiled with `module: node20` (Node >= 20.19
// semantics, which attw's node16-from-CJS mode predates) imports every export of every package.
it('typechecks a CommonJS consumer of every export with module node20', async () => {
  const specifiers = [...packed.values()].flatMap(({ manifest }) => moduleSpecifiers(manifest));
  const consumer = specifiers.map(
    (s, i) => `import * as m${i} from '${s}';\nexport const keys${i} = Object.keys(m${i});\n`,
  );
  await writeFile(join(scratch, 'consumer.cts'), consumer.join(''));
  const compilerOptions = {
    module: 'node20',
    target: 'es2022',
    lib: ['es2022'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const tsconfig = { compilerOptions, files: ['consumer.cts'] };
  await writeFile(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch);
}, 60_000);
