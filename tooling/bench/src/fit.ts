/**
 * A twostep trainer's run of W1–W3 or W5, in Node (twostep.ts) and in the bench page
 * (browser/page.ts): the network `createNetwork` gives (seed 1), plain SGD, batches in order.
 */
import { type Backend, evaluate, sgd, train } from '@twostep/core';
import { accuracies, speed } from './peers/common.js';
import type { Result, Workload } from './protocol.js';
import type { WorkloadData } from './samples.js';
import { createNetwork } from './workloads.js';

/**
 * One warm-up epoch, then `epochs` timed ones (wall clock around `train`, as for any library;
 * every epoch ends by reading its loss, so a GPU's queued work is inside the time); the test
 * accuracy after the first epoch and after the last. The caller adds threads and memory.
 */
export async function fit(
  name: string,
  backend: Backend,
  w: Workload,
  { train: data, test }: WorkloadData,
): Promise<Result> {
  const net = createNetwork(w);
  const options = {
    loss: 'softmaxCrossEntropy',
    optimizer: sgd({ learningRate: w.learningRate }),
    batchSize: w.batchSize,
    shuffle: false,
  } as const;
  const accuracy = async () =>
    w.testSize > 0
      ? (await evaluate(backend, net, test, { loss: 'softmaxCrossEntropy' })).accuracy
      : undefined;
  try {
    await train(backend, net, data, { ...options, epochs: 1 });
    const accuracy1 = await accuracy();
    const started = performance.now();
    // Plain SGD keeps no state and the batches come in order: a new `train` call continues.
    await train(backend, net, data, { ...options, epochs: w.epochs });
    const seconds = (performance.now() - started) / 1000;
    return {
      trainer: name,
      workload: w.name,
      ...speed(w, seconds),
      ...(await accuracies(w, accuracy1, accuracy)),
    };
  } finally {
    net.release(backend);
  }
}
