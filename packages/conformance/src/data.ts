/** The seeded data the training checks learn from. */
import { randomHost } from './util.js';

/** A small seeded classification problem: `count` samples, 3 inputs, 2 one-hot classes. */
export function classification(count: number) {
  const x = randomHost(400, count, 3);
  const inputs = Array.from({ length: count }, (_, i) =>
    Array.from(x.data.subarray(i * 3, i * 3 + 3)),
  );
  const targets = inputs.map(([a, b, c]) => (a! + b! * c! > 0 ? [1, 0] : [0, 1]));
  return { inputs, targets };
}

/** 24 samples: three batches of 8. */
export const DATA = classification(24);
