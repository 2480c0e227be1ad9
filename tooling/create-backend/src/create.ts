/**
 * Writes a new backend package, `<directory>/backend-<name>`, from the templates. It never
 * touches an existing folder: the package folder is created with a plain (non-recursive)
 * mkdir, which fails if anything is already there, and a write that fails half-way removes
 * only the folder this call created.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { files, names } from './templates.js';

/** A name or a folder the scaffold refuses; the message says how to fix it. */
export class CreateBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreateBackendError';
  }
}

/** Longest accepted name: keeps the generated lines within Biome's 100 columns. */
export const MAX_NAME_LENGTH = 30;

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `My_Backend` → `my-backend`: the closest name the scaffold accepts, if any. */
function suggest(name: string): string | undefined {
  const candidate = name
    .replace(/^@twostep\//i, '')
    .replace(/^backend-/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return NAME.test(candidate) && candidate.length <= MAX_NAME_LENGTH ? candidate : undefined;
}

const example = (name: string) => `pnpm create-backend ${name}`;

/**
 * Throws a CreateBackendError unless `name` is a short backend name: lowercase letters, digits
 * and single dashes, starting with a letter, e.g. `webgpu` or `onnx-cpu`.
 */
export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new CreateBackendError(
      `Name the backend: ${example('<name>')}, e.g. ${example('webgpu')} creates packages/backend-webgpu.`,
    );
  }
  if (NAME.test(name) && name.length <= MAX_NAME_LENGTH) {
    if (name.startsWith('backend-')) {
      throw new CreateBackendError(
        `'${name}' starts with 'backend-', which the scaffold adds itself (it would create backend-${name}). ` +
          `Drop the prefix: ${example(name.slice('backend-'.length))}.`,
      );
    }
    return;
  }
  const fix = suggest(name);
  const instead = fix ? ` Try ${example(fix)}.` : '';
  if (name.length > MAX_NAME_LENGTH) {
    throw new CreateBackendError(
      `'${name}' has ${name.length} characters; use at most ${MAX_NAME_LENGTH}.${instead}`,
    );
  }
  if (name.startsWith('@') || name.includes('/')) {
    throw new CreateBackendError(
      `'${name}' is a package name; pass the short name (the package becomes @twostep/backend-<name>).${instead}`,
    );
  }
  throw new CreateBackendError(
    `'${name}' is not a valid backend name: use lowercase letters, digits and single dashes, ` +
      `starting with a letter and not ending with a dash (e.g. webgpu, onnx-cpu).${instead}`,
  );
}

export interface CreateBackendOptions {
  /** The short name, e.g. `webgpu`: the package is `@twostep/backend-webgpu`. */
  readonly name: string;
  /**
   * The folder that receives `backend-<name>`: the workspace's `packages/`. It must sit
   * directly in the workspace root, since the package's configs extend `../../tsconfig.base.json`
   * and `../../vitest.shared.ts` as every package there does.
   */
  readonly directory: string;
}

export interface CreatedBackend {
  /** `@twostep/backend-<name>`. */
  readonly packageName: string;
  /** The absolute path of the new package folder. */
  readonly directory: string;
  /** The files written, relative to `directory`. */
  readonly files: readonly string[];
}

/** Writes `<directory>/backend-<name>`; throws a CreateBackendError and writes nothing on a bad name or an existing folder. */
export function createBackendPackage({ name, directory }: CreateBackendOptions): CreatedBackend {
  checkName(name);
  const n = names(name);
  const parent = resolve(directory);
  const root = dirname(parent);
  const target = join(parent, n.folder);
  if (!existsSync(join(root, 'tsconfig.base.json'))) {
    throw new CreateBackendError(
      `${parent} is not a folder of the workspace root: ${join(root, 'tsconfig.base.json')} is missing. ` +
        'Create backends in the packages/ folder of the repository (pnpm create-backend <name> does).',
    );
  }
  const taken = () =>
    new CreateBackendError(
      `${relative(process.cwd(), target) || target} already exists; nothing was written. ` +
        `Pick another name, or delete that folder first if it is a scaffold you no longer want.`,
    );
  if (existsSync(target)) throw taken();
  try {
    // Not recursive: fails with EEXIST if the folder appeared since the check above.
    mkdirSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw taken();
    throw error;
  }
  const written = files(n);
  try {
    for (const [path, content] of Object.entries(written)) {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      writeFileSync(join(target, path), content, { flag: 'wx' });
    }
  } catch (error) {
    // Only this call's folder, which was empty before it.
    rmSync(target, { recursive: true, force: true });
    throw error;
  }
  return { packageName: n.packageName, directory: target, files: Object.keys(written) };
}
