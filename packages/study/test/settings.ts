import type { RunSettings } from '../src/grid.js';

/** A run's settings for tests: two moons, one hidden layer of 16 tanh, the two-step rule. */
export const SETTINGS: RunSettings = {
  dataset: { name: 'moons', size: 400, noise: 0.15 },
  hidden: [16],
  activation: 'tanh',
  rule: 'twoStep',
  mode: 'global',
  optimizer: 'sgd',
  learningRate: 0.1,
  batchSize: 32,
  epochs: 20,
  backend: 'ts',
  seed: 1,
};
