/**
 * Reading and writing the app's files: a file that cannot be read or parsed is an error the
 * caller words (what the file is, what to do; `parseJsonAsWritten` in `@twostep/core/check` parses it), and a written file is never half written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The text of `path`, or the error `fail` makes of the reason (`ENOENT`, or the message). */
export async function readText(path: string, fail: (reason: string) => Error): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw withCause(fail((error as NodeJS.ErrnoException).code ?? (error as Error).message), error);
  }
}

const withCause = (error: Error, cause: unknown): Error => {
  error.cause ??= cause;
  return error;
};

/**
 * Writes `text` to `path` so that readers see the old file or the new one, never a part:
 * the text goes to a temporary file in the same folder (same file system), is flushed, and
 * is renamed over `path`. On failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await makeFolder(dirname(path));
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The temporary file `writeFileAtomic` writes for `name`: `.<name>.<pid>.<8 hex>.tmp`; the
 * pid of the process that wrote it, or undefined when `file` is no such name.
 */
export function temporaryOf(
  file: string,
  name?: string,
): { name: string; pid: number } | undefined {
  const match = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(file);
  if (!match || (name !== undefined && match[1] !== name)) return undefined;
  return { name: match[1]!, pid: Number(match[2]) };
}

/**
 * Creates `folder` and its missing parents one level at a time, so that a failure is the
 * real one at the level where it happened (EACCES, EROFS, ENOTDIR), not the ENOENT that a
 * recursive mkdir can report instead; the error's `path` is that level.
 */
export async function makeFolder(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    const found = await stat(dir).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        return undefined;
      },
    );
    if (found) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
          code: 'ENOTDIR',
          path: dir,
        });
      }
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
