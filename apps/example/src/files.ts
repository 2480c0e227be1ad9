/**
 * Reading and writing the app's files: a file that cannot be read or parsed is an error the
 * caller words (what the file is, what to do; `parseJsonAsWritten` in `@twostep/core/check`
 * parses it), and a written file is never half written. Saved models are read here for
 * `evaluate`, `predict` and `export` alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserialize, ModelFormatError, type Network, TwoStepError } from '@twostep/core';

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
 * Refuses `model` when it is the temporary file of a save (`temporaryOf`): a model half
 * written, or another file's. `command` begins the message (train gives none).
 */
export function refuseTemporary(model: string, command?: string): void {
  if (!temporaryOf(basename(model))) return;
  throw new TwoStepError(
    `${command === undefined ? '' : `${command}: `}--model ${model} is the temporary file of a save, not a model; pass a path such as models/mnist.json.`,
  );
}

/** The saved model at `model` for `command` (evaluate, predict, export). */
export async function readModel(model: string, command: string): Promise<Network> {
  refuseTemporary(model, command);
  const text = await readText(
    model,
    (reason) =>
      new TwoStepError(
        `${command}: cannot read the model ${model} (${reason}); train one first, or pass --model <file>.`,
      ),
  );
  return modelOf(text, model, command);
}

/**
 * The network of the model file `model` whose text is `text`; a bad field is a
 * ModelFormatError that names the file, the field by its path and its value as written.
 */
export function modelOf(text: string, model: string, command: string): Network {
  try {
    return deserialize(text);
  } catch (error) {
    if (!(error instanceof ModelFormatError)) throw error;
    const field = error.path === '$' ? 'the file' : error.path;
    throw withCause(
      new ModelFormatError(
        `${command}: the model ${model} is not valid: ${field} ${error.reason}. Train it again, or pass another --model.`,
        error.path,
        error.reason,
      ),
      error,
    );
  }
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
