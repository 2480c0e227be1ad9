/** The five workloads, their --quick versions, and the network every trainer starts from. */
import { Network, type Weights } from '@twostep/core';
import type { Workload, WorkloadName } from './protocol.js';

const MNIST_MLP = [784, 128, 10] as const;

export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = {
  W1: {
    name: 'W1',
    title: 'MNIST MLP A[784,128,10], relu, batch 64',
    architecture: MNIST_MLP,
    activation: 'relu',
    batchSize: 64,
    learningRate: 0.1,
    // 1 warm-up + 4 timed = 5 epochs, for the accuracy after 1 and after 5.
    epochs: 4,
    trainSize: 8000,
    testSize: 2000,
  },
  W2: {
    name: 'W2',
    title: 'Deep and narrow A[64,64,64,64,64,64,10], tanh, batch 16',
    architecture: [64, 64, 64, 64, 64, 64, 10],
    activation: 'tanh',
    batchSize: 16,
    learningRate: 0.1,
    epochs: 2,
    trainSize: 8000,
    testSize: 0,
  },
  W3: {
    name: 'W3',
    title: 'Per-sample SGD A[784,128,10], relu, batch 1',
    architecture: MNIST_MLP,
    activation: 'relu',
    batchSize: 1,
    learningRate: 0.01,
    epochs: 1,
    trainSize: 2000,
    testSize: 0,
  },
  W4: {
    name: 'W4',
    title: "One gradient of W1's network on a batch of 64",
    architecture: MNIST_MLP,
    activation: 'relu',
    batchSize: 64,
    learningRate: 0.1,
    epochs: 0,
    trainSize: 64,
    testSize: 0,
    repeats: 50,
  },
  // Wide: the products dominate a step (≈ 3.2 MFLOP a sample against W1's 0.41), so it
  // measures the matMul kernel and its threads more than per-op overhead. 1 warm-up + 2
  // timed epochs: the cpu trainers (≈ 1 GFLOP/s) already take over a minute a run.
  W5: {
    name: 'W5',
    title: 'Wide MLP A[784,512,512,10], relu, batch 128',
    architecture: [784, 512, 512, 10],
    activation: 'relu',
    batchSize: 128,
    learningRate: 0.05,
    epochs: 2,
    trainSize: 8000,
    testSize: 2000,
  },
};

/** --quick: fewer samples and epochs, enough for W1's accuracy after one epoch to mean something. */
const QUICK: Readonly<Record<WorkloadName, Partial<Workload>>> = {
  W1: { epochs: 1, trainSize: 3000 },
  W2: { epochs: 1, trainSize: 500 },
  W3: { trainSize: 100 },
  W4: { repeats: 3 },
  // Two steps an epoch, so that the cpu trainers (≈ 1 GFLOP/s) take seconds: only that it
  // runs end to end, and its speed; no accuracy is checked.
  W5: { epochs: 1, trainSize: 256, testSize: 256 },
};

export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

export function isWorkloadName(name: string): name is WorkloadName {
  return Object.hasOwn(WORKLOADS, name);
}

/** The workload as a trainer runs it: scaled down for --quick. */
export const workload = (name: WorkloadName, quick = false): Workload =>
  quick ? { ...WORKLOADS[name], ...QUICK[name] } : WORKLOADS[name];

/** The network every twostep trainer starts from: seed 1, He init for relu, Xavier for tanh. */
export const createNetwork = (w: Workload): Network =>
  Network.create({
    architecture: w.architecture,
    activation: w.activation,
    outputActivation: 'identity',
    init: w.activation === 'relu' ? 'he' : 'xavier',
    seed: 1,
  });

/**
 * The initial W1 … WL of every trainer (Wh is Nh × (N(h−1) + 1), `Wh[i][j]` the weight from
 * input j to neuron i, the bias in the last column), so that other libraries start from the
 * same weights: a Dense kernel is the transpose of Wh without its last column.
 */
export const initialWeights = (w: Workload): Weights => createNetwork(w).getWeights();
