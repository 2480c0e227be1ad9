import * as tf from '@tensorflow/tfjs-core';
import { type BackendOptions, BackendUnavailableError, checkDType } from '@twostep/core/backend';
import { TfjsBackend } from './backend.js';

/**
 * A backend on the registered TensorFlow.js backend `tfBackend`, made the engine's active
 * one and initialised. Import the tfjs backend's package first (the `cpu`, `webgl`, `webgpu`
 * and `wasm` entries of this package do); `hint` completes the error when it cannot start.
 */
export async function createTfjsBackend(
  tfBackend: string,
  { dtype = 'float32' }: BackendOptions = {},
  hint = `Import the package that registers it (for example @tensorflow/tfjs-backend-${tfBackend}) before creating it.`,
): Promise<TfjsBackend> {
  const name = `tfjs-${tfBackend}`;
  checkDType(name, dtype, ['float32']);
  if (!tf.findBackendFactory(tfBackend)) {
    throw new BackendUnavailableError(
      `${name}: TensorFlow.js has no '${tfBackend}' backend registered here. ${hint}`,
    );
  }
  let cause: unknown;
  let started = false;
  try {
    started = await tf.setBackend(tfBackend);
  } catch (error) {
    cause = error;
  }
  if (!started) {
    throw new BackendUnavailableError(
      `${name}: TensorFlow.js could not start its '${tfBackend}' backend${cause ? ` (${String((cause as Error).message ?? cause)})` : ''}. ${hint}`,
      { cause },
    );
  }
  return new TfjsBackend(tfBackend);
}
