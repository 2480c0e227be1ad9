import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';

const made = { test: [] as string[], file: [] as string[] };

/** A fresh temporary folder, removed after the test (or, for `'file'`, after the test file). */
export async function tempDir(lifetime: 'test' | 'file' = 'test'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twostep-example-'));
  made[lifetime].push(dir);
  return dir;
}

const removeAll = (dirs: string[]) =>
  Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));

afterEach(() => removeAll(made.test));
afterAll(() => removeAll(made.file));
