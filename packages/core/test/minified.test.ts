/// <reference types="node" />
/**
 * A production bundle renames classes; the errors keep their names, which users read in logs
 * and match on (`error.name === 'ShapeError'`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import * as core from '../src/index.js';

it('every error class keeps its name in a minified bundle', async () => {
  const { outputFiles } = await build({
    entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
  });
  const code = outputFiles[0]!.text;
  const folder = await mkdtemp(join(tmpdir(), 'twostep-minified-'));
  try {
    const file = join(folder, 'core.min.js');
    await writeFile(file, code);
    const minified = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const errors = Object.entries(core as Record<string, unknown>)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([key]) => key);
    expect(errors).toContain('BackendNotInstalledError');
    expect(errors.length).toBeGreaterThanOrEqual(12);
    // The bundle did rename them: without static names, these would be one-letter names.
    expect(code).not.toMatch(/class ShapeError\b/);
    for (const key of [...errors, 'TwoStepError']) {
      const Class = minified[key] as new (...args: unknown[]) => Error;
      const error = new Class('message', 'path');
      expect(error.name, key).toBe(key);
      expect(String(error), key).toBe(`${key}: message`);
      expect(error).toBeInstanceOf(minified.TwoStepError as typeof Error);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
