/**
 * Reading and writing the app's files: a file that cannot be read or parsed is an error the
 * caller words (what the file is, what to do; `parseJsonAsWritten` in `@twostep/core/check`
 * parses it); files are written with `writeFileAtomic` of `@twostep/io`, never half written.
 * Saved models are read here for `evaluate`, `predict`, `export`, `trace` and `import` alike.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import {
  type Limits,
  ModelFormatError,
  type Network,
  ResourceLimitError,
  TwoStepError,
} from '@twostep/core';
import { DEFAULT_MAX_BYTES, loadModel, StorageError, temporaryOf } from '@twostep/io';

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
 * Refuses `model` when it is the temporary file of a save (`temporaryOf`): a model half
 * written, or another file's. `command` begins the message (train gives none); `flag` names
 * the model in it, '' for an argument (`twostep import <file>`).
 */
export function refuseTemporary(model: string, command?: string, flag = '--model'): void {
  if (!temporaryOf(basename(model))) return;
  throw new TwoStepError(
    `${command === undefined ? '' : `${command}: `}${flag && `${flag} `}${model} is the temporary file of a save, not a model; pass a path such as models/mnist.json.`,
  );
}

/** The model file of a TensorFlow.js Layers model, in its folder. */
export const MODEL_JSON = 'model.json';

/**
 * The saved model at `model` for `command` (evaluate, predict, export, trace, import), in any
 * format `loadModel` of `@twostep/io` reads: twostep's own `.json`, `.onnx`, a TensorFlow.js
 * Layers `model.json` (or its folder) with its weights files beside it. `flag` is how the
 * command takes the model, as the fixes name it: '' for an argument (`twostep import <file>`);
 * `limits` are the config's `maxParameters` and `maxEntries`.
 */
export async function readModel(
  model: string,
  command: string,
  flag = '--model',
  limits: Limits = {},
): Promise<Network> {
  refuseTemporary(model, command, flag);
  try {
    return await loadModel(model, limits);
  } catch (error) {
    throw modelError(error, model, command, flag);
  }
}

/**
 * `loadModel`'s error about `model` worded for `command`: the file, the problem, the fix. A
 * model file of twostep's own format keeps the app's messages (`cannot read the model …`,
 * `the model … is not valid: <field> …`).
 */
function modelError(error: unknown, model: string, command: string, flag: string): unknown {
  const another = `another ${flag || 'file'}`;
  if (error instanceof ModelFormatError) {
    const field = error.path === '$' ? 'the file' : error.path;
    const kind = / is not a valid (ONNX model|TensorFlow\.js Layers model): /.exec(
      error.message,
    )?.[1];
    // ONNX reasons are sentences of their own, with the fix; Layers reasons follow the field.
    const message =
      kind === undefined
        ? `the model ${model} is not valid: ${field} ${error.reason}. Train it again, or pass ${another}.`
        : `the model ${model} is not a valid ${kind}: ${kind === 'ONNX model' ? '' : `${field} `}${error.reason}.`;
    return withCause(
      new ModelFormatError(`${command}: ${message}`, error.path, error.reason),
      error,
    );
  }
  const { code, path } = ((error as Error)?.cause ?? {}) as NodeJS.ErrnoException;
  if (error instanceof StorageError && typeof code === 'string') {
    // The model file itself; the model.json of a folder; a weights file of a Layers model.
    const message =
      path === undefined || path === model
        ? `cannot read the model ${model} (${code}); ${flag ? `train one first, or pass ${flag} <file>` : 'check the path'}.`
        : path === join(model, MODEL_JSON)
          ? `cannot read the model ${model}: it is a folder, and its ${MODEL_JSON} cannot be read (${code}); pass a model file, or the folder of a TensorFlow.js Layers model.`
          : `cannot read ${path}, a weights file of the TensorFlow.js Layers model ${model} (${code}); keep the files its weightsManifest names beside it, or pass ${another}.`;
    return withCause(new TwoStepError(`${command}: ${message}`), error);
  }
  if (error instanceof ResourceLimitError && error.message.startsWith('loadModel: ')) {
    return withCause(
      new ResourceLimitError(
        `${command}: the model ${model} is more than ${DEFAULT_MAX_BYTES / 2 ** 20} MiB, the most twostep reads; pass a smaller ${flag || 'file'}.`,
      ),
      error,
    );
  }
  return asCommand(error, 'loadModel', command);
}

/**
 * An error of the `@twostep/io` function `fn` (its message begins `fn: `) worded as `command`'s
 * (`command: …`), in place; other errors as they are.
 */
export function asCommand(error: unknown, fn: string, command: string): unknown {
  if (error instanceof TwoStepError && error.message.startsWith(`${fn}: `)) {
    error.message = `${command}: ${error.message.slice(fn.length + 2)}`;
  }
  return error;
}

/**
 * A file-system error of writing `what` (`the export`) to `out` (EROFS, EACCES, ENOSPC, …) as
 * `command`'s error that names the folder written into and the reason, without a stack;
 * other errors are left as they are.
 */
export function cannotWrite(error: unknown, out: string, command: string, what: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (error instanceof TwoStepError || typeof code !== 'string') return error;
  // Node's messages read "EROFS: read-only file system, mkdtemp '<path>'".
  const reason = String((error as Error).message).split(', ')[0]!;
  return new TwoStepError(
    `${command}: cannot write ${what} into ${dirname(out)} (${reason.startsWith(code) ? reason : `${code}: ${reason}`}); choose another --out.`,
    { cause: error },
  );
}

/** `path` as the user sees it: relative to `cwd` when it is inside, else as it is. */
export function shownPath(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
