/**
 * Reading and writing the app's files: a file that cannot be read or parsed is an error the
 * caller words (what the file is, what to do), and a written file is never half written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The text of `path`, or the error `fail` makes of the reason (`ENOENT`, or the message). */
export async function readText(path: string, fail: (reason: string) => Error): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw withCause(fail((error as NodeJS.ErrnoException).code ?? (error as Error).message), error);
  }
}

/** `text` parsed as JSON, or the error `fail` makes of the parser's message. */
export function parseJson(text: string, fail: (reason: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw withCause(fail((error as Error).message), error);
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
  await mkdir(dirname(path), { recursive: true });
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
