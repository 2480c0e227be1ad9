import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateBackendError,
  checkName,
  createBackendPackage,
  MAX_NAME_LENGTH,
  PACKAGES_DIRECTORY,
  run,
} from '../src/index.js';
import { mirrorWorkspace, ROOT, type Workspace } from './workspace.js';

let workspace: Workspace;

beforeEach(async () => {
  // Only the layout matters here: the generated files are checked in scaffold.test.ts.
  workspace = await mirrorWorkspace(['tsconfig.base.json']);
});

afterEach(async () => {
  await workspace.remove();
});

describe('checkName', () => {
  it.each(['webgpu', 'onnx-cpu', 'wasm-simd128', 'x', 'a'.repeat(MAX_NAME_LENGTH)])(
    'accepts %s',
    (name) => {
      expect(() => checkName(name)).not.toThrow();
    },
  );

  it.each([
    ['', /Name the backend: pnpm create-backend <name>, e\.g\. pnpm create-backend webgpu/],
    ['   ', /Name the backend/],
    [
      'WebGPU',
      /'WebGPU' is not a valid backend name: use lowercase letters.*Try pnpm create-backend web-gpu\./,
    ],
    ['my_backend', /Try pnpm create-backend my-backend\./],
    ['foo bar', /Try pnpm create-backend foo-bar\./],
    ['foo--bar', /Try pnpm create-backend foo-bar\./],
    ['-foo', /starting with a letter.*Try pnpm create-backend foo\./],
    ['foo-', /not ending with a dash.*Try pnpm create-backend foo\./],
    ['2d', /starting with a letter and not ending with a dash \(e\.g\. webgpu, onnx-cpu\)\.$/],
    ['backend-webgpu', /starts with 'backend-'.*Drop the prefix: pnpm create-backend webgpu\./],
    [
      '@twostep/backend-webgpu',
      /is a package name; pass the short name.*Try pnpm create-backend webgpu\./,
    ],
    ['a'.repeat(MAX_NAME_LENGTH + 1), /has 31 characters; use at most 30\./],
  ])('rejects %j, naming the fix', (name, message) => {
    expect(() => checkName(name)).toThrow(CreateBackendError);
    expect(() => checkName(name)).toThrow(message);
  });

  it('rejects what is not a string', () => {
    expect(() => checkName(undefined)).toThrow(/Name the backend/);
  });
});

describe('createBackendPackage', () => {
  it('writes backend-<name> with the files of a backend package', async () => {
    const created = createBackendPackage({ name: 'demo', directory: workspace.packages });
    expect(created.packageName).toBe('@twostep/backend-demo');
    expect(created.directory).toBe(join(workspace.packages, 'backend-demo'));
    expect([...created.files].sort()).toEqual([
      'README.md',
      'package.json',
      'src/index.ts',
      'test/conformance.test.ts',
      'tsconfig.build.json',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    const manifest = JSON.parse(await readFile(join(created.directory, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: '@twostep/backend-demo',
      private: true,
      type: 'module',
      exports: {
        '.': {
          '@twostep/source': './src/index.ts',
          types: './dist/index.d.ts',
          default: './dist/index.js',
        },
      },
      scripts: {
        build: 'tsc -p tsconfig.build.json',
        typecheck: 'tsc -p tsconfig.json --noEmit',
        lint: 'biome check .',
        test: 'vitest run',
      },
      peerDependencies: { '@twostep/core': 'workspace:^' },
      devDependencies: { '@twostep/core': 'workspace:^', '@twostep/conformance': 'workspace:^' },
    });
    const test = await readFile(join(created.directory, 'test/conformance.test.ts'), 'utf8');
    expect(test).toContain("runConformance({ name: 'demo', create: createBackend });");
    const index = await readFile(join(created.directory, 'src/index.ts'), 'utf8');
    expect(index).toContain('export class DemoBackend implements Backend<M> {');
    expect(index).toContain('export function createBackend(');
  });

  it('mirrors the configs of backend-ts', async () => {
    const { directory } = createBackendPackage({ name: 'demo', directory: workspace.packages });
    const reference = join(ROOT, 'packages/backend-ts');
    expect(await readFile(join(directory, 'tsconfig.build.json'), 'utf8')).toBe(
      await readFile(join(reference, 'tsconfig.build.json'), 'utf8'),
    );
    const tsconfig = JSON.parse(await readFile(join(directory, 'tsconfig.json'), 'utf8'));
    const referenceTsconfig = JSON.parse(await readFile(join(reference, 'tsconfig.json'), 'utf8'));
    expect(tsconfig).toEqual({ ...referenceTsconfig, include: ['src', 'test'] });
    const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    const referenceManifest = JSON.parse(await readFile(join(reference, 'package.json'), 'utf8'));
    // What a backend package is; its own extra devDependencies (a browser runner, …) may differ.
    for (const key of ['type', 'sideEffects', 'exports', 'files', 'engines', 'peerDependencies']) {
      expect(manifest[key], key).toEqual(referenceManifest[key]);
    }
    for (const key of ['build', 'typecheck', 'lint', 'test']) {
      expect(manifest.scripts[key], key).toBe(referenceManifest.scripts[key]);
    }
  });

  it('refuses an existing folder and leaves it as it was', async () => {
    const existing = join(workspace.packages, 'backend-demo');
    await mkdir(existing);
    await writeFile(join(existing, 'notes.txt'), 'mine');
    expect(() => createBackendPackage({ name: 'demo', directory: workspace.packages })).toThrow(
      /backend-demo already exists; nothing was written\. Pick another name, or delete that folder first/,
    );
    expect(await readdir(existing)).toEqual(['notes.txt']);
    expect(await readFile(join(existing, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a file of that name too', async () => {
    await writeFile(join(workspace.packages, 'backend-demo'), 'a file');
    expect(() => createBackendPackage({ name: 'demo', directory: workspace.packages })).toThrow(
      CreateBackendError,
    );
    expect(await readFile(join(workspace.packages, 'backend-demo'), 'utf8')).toBe('a file');
  });

  it('writes nothing for a bad name', async () => {
    expect(() => createBackendPackage({ name: 'Demo', directory: workspace.packages })).toThrow(
      /Try pnpm create-backend demo/,
    );
    expect(await readdir(workspace.packages)).toEqual([]);
  });

  it('needs a folder directly in a workspace root, as the configs extend ../../', async () => {
    const nested = join(workspace.packages, 'nested');
    await mkdir(nested);
    expect(() => createBackendPackage({ name: 'demo', directory: nested })).toThrow(
      /is not a folder of the workspace root: .*tsconfig\.base\.json is missing/,
    );
    expect(await readdir(nested)).toEqual([]);
  });
});

describe('the command line', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        directory: workspace.packages,
        stdout: (line: string) => out.push(line),
        stderr: (line: string) => err.push(line),
      },
    };
  };

  it('creates the package and prints the next steps', () => {
    const { out, err, io } = capture();
    expect(run(['demo'], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(
      /^Created @twostep\/backend-demo in .*backend-demo:\n {2}package\.json/,
    );
    expect(out.join('\n')).toContain('pnpm install');
    expect(out.join('\n')).toContain('pnpm --filter @twostep/backend-demo test');
    expect(existsSync(join(workspace.packages, 'backend-demo/src/index.ts'))).toBe(true);
  });

  it('prints the usage for --help', () => {
    const { out, io } = capture();
    expect(run(['--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: pnpm create-backend <name>/);
  });

  it.each([
    [[], /Name the backend/],
    [['Bad_Name'], /'Bad_Name' is not a valid backend name.*Try pnpm create-backend bad-name/],
    [['one', 'two'], /expected one name, got 2: one two/],
    [['--force', 'demo'], /Unknown option '--force'/],
  ])('exits with 1 and says why for %j', (args, message) => {
    const { out, err, io } = capture();
    expect(run(args, io)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(message);
    expect(existsSync(join(workspace.packages, 'backend-demo'))).toBe(false);
  });

  it("defaults to the repository's packages/ and refuses backend-ts, which exists", () => {
    expect(PACKAGES_DIRECTORY).toBe(join(ROOT, 'packages/'));
    const err: string[] = [];
    expect(run(['ts'], { stdout: () => {}, stderr: (line) => err.push(line) })).toBe(1);
    expect(err.join('\n')).toMatch(/packages\/backend-ts already exists; nothing was written/);
  });
});
