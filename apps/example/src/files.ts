/**
 * Reading and writing the app's files: a file that cannot be read or parsed is an error the
 * caller words (what the file is, what to do; `parseJsonAsWritten` in `@twostep/core/check`
 * parses it); files are written with `writeFileAtomic` of `@twostep/io`, never half written.
 * Saved models are read here for `evaluate`, `predict` and `export` alike.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { deserialize, ModelFormatError, type Network, TwoStepError } from '@twostep/core';
import { temporaryOf } from '@twostep/io';

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
