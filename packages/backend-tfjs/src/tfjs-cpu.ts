/** `tfjs-cpu`'s TensorFlow.js part: registers tfjs's CPU backend and starts it. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendOptions } from '@twostep/core/backend';
import type { TfjsBackend } from './backend.js';
import { createTfjsBackend } from './create.js';

export async function createBackend(options?: BackendOptions): Promise<TfjsBackend> {
  const backend = await createTfjsBackend('cpu', options);
  // On its first write in Node, tfjs-backend-cpu prints an advert for tfjs-node, which this
  // package does not use; mark it as said.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  return backend;
}
