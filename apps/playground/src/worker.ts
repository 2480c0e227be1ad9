/**
 * The training worker: it owns the backend, the network and the data, trains with one core
 * `Trainer` per run (epoch by epoch, or step by step), and reports snapshots to the page. The
 * page never computes, so it never freezes.
 *
 * Pausing ends the run's loop at an epoch's end (the network then holds that epoch's
 * weights); a new configuration aborts the run through the epoch's signal. The optimizer's
 * state stays on the backend for the whole run.
 */
/// <reference lib="webworker" />
import {
  type Backend,
  ConfigError,
  type Dataset,
  Network,
  type OptimizerConfig,
  oneHot,
  predict,
  Random,
  serialize,
  Trainer,
  TwoStepError,
} from '@twostep/core';
import type { StorageError } from '@twostep/io';
import { createChosenBackend } from './backends.js';
import { checkCommand } from './check-command.js';
import { grid, toyDataset } from './datasets.js';
import { type Digits, loadDigits, splitDigits } from './digits.js';
import { fitModel, readModel } from './import-model.js';
import {
  type Command,
  type ExportFormat,
  GRID,
  type ModelFile,
  type Report,
  STORED_MODEL,
  type Stage,
} from './protocol.js';
import { MNIST_CLASSES, type Settings } from './settings.js';
import { snapshot, startProgress, type Task, traceOf } from './snapshot.js';

const post = (report: Report, transfer: Transferable[] = []) =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(report, transfer);

/**
 * At most this often a snapshot while running, in ms, and at most a quarter of the time: on a
 * slow backend a snapshot (evaluations, the grid, a trace: many reads) costs more than epochs.
 */
const SNAPSHOT_EVERY = 60;

/** Everything the worker holds between messages. */
const worker = {
  backend: undefined as Backend | undefined,
  digitsUrl: '',
  /** The MNIST split, fetched once. */
  digits: undefined as Promise<{ train: Digits; test: Digits }> | undefined,
  task: undefined as Task | undefined,
  /** The run of the current task (resolves when it stopped). */
  run: Promise.resolve() as Promise<void>,
  abort: new AbortController(),
  state: { running: false, stepOnce: false },
  /** Lets a run waiting at the gate go on. */
  wake: undefined as (() => void) | undefined,
  epochsPerSecond: null as number | null,
  /** The training sample the snapshots trace. */
  traced: 0,
  progress: startProgress(),
  /** True while the run waits at the gate: the backend is free for the page's requests. */
  idle: true,
  /** A snapshot was asked for while training: the next epoch's end sends one. */
  snapshotWanted: false,
  /**
   * A snapshot the page has not drawn yet: while running, no other is sent until it has (the
   * page says `drawn`), so a page slower than the backend is never sent more than it draws.
   */
  drawing: false,
};

/** Resolves when training may go on (running, or one step asked for). */
async function gate(signal: AbortSignal): Promise<void> {
  worker.idle = true;
  while (!worker.state.running && !worker.state.stepOnce) {
    await new Promise<void>((resolve) => {
      worker.wake = resolve;
    });
    signal.throwIfAborted();
  }
  signal.throwIfAborted();
  worker.idle = false;
}

const release = () => {
  worker.wake?.();
  worker.wake = undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Train and test datasets of the settings' task. */
async function datasets(s: Settings): Promise<Omit<Task, 'settings' | 'net'>> {
  if (s.task === 'mnist') {
    worker.digits ??= loadDigits(worker.digitsUrl).then(splitDigits, (error: unknown) => {
      worker.digits = undefined; // a failed fetch is tried again next time
      throw error;
    });
    const split = await worker.digits;
    const data = (d: Digits): Dataset => ({
      inputs: d.images,
      targets: oneHot(d.labels, MNIST_CLASSES),
    });
    return { train: data(split.train), test: data(split.test) };
  }
  const outputs = s.architecture.at(-1)!;
  const data = (seed: number): Dataset => {
    const { inputs, labels } = toyDataset(s.dataset, s.points, s.noise, seed);
    return { inputs, targets: outputs === 1 ? labels.map((l) => [l]) : oneHot(labels, 2) };
  };
  // The test points come from another seed: the same shape, other samples.
  return { train: data(s.dataSeed), test: data(s.dataSeed + 7919), grid: grid(GRID) };
}

async function publish(k: Backend, t: Task): Promise<void> {
  const s = await snapshot(k, t, worker.progress, worker.traced, worker.state.running);
  post({ type: 'snapshot', snapshot: s }, s.boundary ? [s.boundary.buffer as ArrayBuffer] : []);
  worker.drawing = true;
}

/**
 * Trains `t` until aborted, on one Trainer. Running, it trains epoch after epoch; a pause ends
 * at the epoch's end. A step trains one mini-batch of an epoch walked batch by batch; running
 * again starts a fresh epoch. Every epoch's order, stepped or run, is the next one drawn from
 * the run's seeded generator.
 */
async function loop(k: Backend, t: Task, signal: AbortSignal): Promise<void> {
  const { settings: s } = t;
  const trainer = new Trainer(k, t.net, {
    loss: s.loss,
    optimizer: { name: s.optimizer, learningRate: s.learningRate } as OptimizerConfig,
    mode: s.mode,
  });
  const count = trainer.check(t.train);
  const batches = Math.ceil(count / s.batchSize);
  const orders = new Random(s.seed);
  /** The epoch being stepped through: its order and the next batch's start. */
  let stepping: { order: Uint32Array; next: number } | undefined;
  let lastPost = 0;
  let lastCost = 0;
  let lastEpoch = performance.now();

  /**
   * Sends a snapshot `now`, or when one is due: the page drew the last, and at most a quarter
   * of the time goes to snapshots.
   */
  const report = async (now: boolean) => {
    const due = performance.now() >= lastPost + Math.max(SNAPSHOT_EVERY, 3 * lastCost);
    if (!now && (worker.drawing || !due)) return;
    const started = performance.now();
    worker.snapshotWanted = false;
    await publish(k, t);
    lastPost = performance.now();
    lastCost = lastPost - started;
  };

  const stepOnce = async () => {
    if (!stepping || stepping.next >= count) {
      stepping = { order: orders.permutation(count), next: 0 };
    }
    const rows = stepping.order.subarray(stepping.next, stepping.next + s.batchSize);
    stepping.next += rows.length;
    trainer.step({
      inputs: Array.from(rows, (i) => t.train.inputs[i]!),
      targets: Array.from(rows, (i) => t.train.targets[i]!),
    });
    await trainer.sync();
    worker.progress.steps++;
    if (stepping.next >= count) worker.progress.epoch++;
    worker.state = { running: false, stepOnce: false };
    await report(true);
  };

  const runEpochs = async () => {
    stepping = undefined;
    for (;;) {
      const loss = await trainer.epoch(t.train, {
        batchSize: s.batchSize,
        order: orders.permutation(count),
        epoch: worker.progress.epoch + 1,
        signal,
      });
      await trainer.sync();
      worker.progress.epoch++;
      worker.progress.steps += batches;
      worker.progress.losses.push(loss);
      worker.progress.times.push([performance.now(), worker.progress.steps]);
      // Paced: the epoch's share of a second runs out first, unless a pause comes meanwhile,
      // so that a pause ends the run at once with a snapshot of the weights it keeps.
      if (worker.epochsPerSecond !== null) {
        const until = lastEpoch + 1000 / worker.epochsPerSecond;
        while (worker.state.running && performance.now() < until) {
          await sleep(Math.min(20, until - performance.now()));
        }
      }
      lastEpoch = performance.now();
      const pausing = !worker.state.running;
      await report(worker.snapshotWanted || pausing);
      if (pausing) return;
    }
  };

  try {
    for (;;) {
      await gate(signal);
      await (worker.state.running ? runEpochs() : stepOnce());
    }
  } finally {
    await trainer.close();
  }
}

/** Stops the current run and waits until it has let go of the backend. */
async function stop(): Promise<void> {
  worker.abort.abort();
  release();
  await worker.run.catch(() => {});
  worker.abort = new AbortController();
  worker.state = { running: false, stepOnce: false };
}

/** Starts the run of `t` (it waits at the gate until `run` or `step`). */
function start(k: Backend, t: Task): void {
  worker.task = t;
  worker.progress = startProgress();
  const { signal } = worker.abort;
  worker.run = loop(k, t, signal).catch((error: unknown) => {
    if (signal.aborted) return;
    worker.state = { running: false, stepOnce: false };
    fail('train', error);
  });
}

function fail(stage: Stage, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ type: 'error', stage, name: e.name, message: e.message });
}

async function configure(k: Backend, s: Settings, net?: Network): Promise<void> {
  await stop();
  worker.task?.net.release(k);
  const data = await datasets(s);
  const network =
    net ??
    Network.create({
      architecture: s.architecture,
      activations: s.activations,
      seed: s.seed,
    });
  const t: Task = { settings: s, net: network, ...data };
  worker.traced = 0;
  post({
    type: 'configured',
    settings: s,
    ...(s.task === 'toy' && {
      points: {
        inputs: t.train.inputs as [number, number][],
        labels: (t.train.targets as number[][]).map((row) =>
          row.length === 1 ? row[0]! : row[1]!,
        ),
      },
    }),
    counts: { train: t.train.inputs.length, test: t.test.inputs.length },
  });
  start(k, t);
  await publish(k, t);
}

/** `t`'s network as the files of `format`, named for the download. */
async function exportModel(t: Task, format: ExportFormat): Promise<ModelFile[]> {
  const name = `twostep-${t.settings.task}-model`;
  if (format === 'twostep') return [{ name: `${name}.json`, text: serialize(t.net) }];
  // The other formats' code (protobufjs for ONNX) is a chunk of its own, loaded here.
  const io = await import('@twostep/io');
  if (format === 'onnx') {
    return [{ name: `${name}.onnx`, bytes: io.toOnnx(t.net, { dtype: 'float32' }) }];
  }
  const { modelJson, weightData } = io.toLayers(t.net);
  return [
    { name: 'model.json', text: JSON.stringify(modelJson) },
    { name: io.LAYERS_WEIGHTS_FILE, bytes: new Uint8Array(weightData) },
  ];
}

/** `act`, its error reported as one of `stage`. */
async function reporting(stage: Stage, act: () => Promise<void>): Promise<void> {
  try {
    await act();
  } catch (error) {
    fail(stage, error);
  }
}

async function handle(command: Command): Promise<void> {
  if (command.type === 'drawn') {
    worker.drawing = false;
    return;
  }
  if (command.type === 'init') {
    worker.digitsUrl = command.digitsUrl;
    try {
      worker.backend = await createChosenBackend(command.choice);
    } catch (error) {
      fail('backend', error);
      return;
    }
    // What ts and webgpu say of themselves (a description; ts its threads); tfjs's say none.
    const { matMulKernel, threads, description } = worker.backend as {
      matMulKernel?: unknown;
      threads?: unknown;
      description?: unknown;
    };
    post({
      type: 'ready',
      backend: command.choice.backend,
      dtype: worker.backend.dtype,
      detail: matMulKernel
        ? `${worker.backend.name}, matMul kernel ${matMulKernel}`
        : worker.backend.name,
      ...(typeof threads === 'number' && { threads }),
      ...(typeof description === 'string' && { description }),
    });
    return;
  }
  const k = worker.backend;
  if (!k) throw new ConfigError('The backend is not ready yet: wait for it, or pick another.');
  switch (command.type) {
    case 'configure':
      return configure(k, command.settings);
    case 'run':
      worker.state = { running: true, stepOnce: false };
      release();
      return;
    case 'pause':
      worker.state = { running: false, stepOnce: false };
      return;
    case 'step':
      worker.state = { running: false, stepOnce: true };
      release();
      return;
    case 'speed':
      worker.epochsPerSecond = command.epochsPerSecond;
      return;
    case 'trace':
      worker.traced = command.sample;
      if (worker.task && worker.idle) await publish(k, worker.task);
      else worker.snapshotWanted = true;
      return;
    case 'export':
      return reporting('export', async () => {
        if (!worker.task) return;
        post({ type: 'model', files: await exportModel(worker.task, command.format) });
      });
    // An imported or loaded model replaces the network, and the settings follow it (or it is
    // refused as a whole, the network kept).
    case 'import':
      return reporting('import', async () => {
        const { net, settings } = await readModel(command.files, worker.task?.settings, k);
        await configure(k, settings, net);
      });
    case 'save':
      return reporting('save', async () => {
        if (!worker.task) return;
        const { saveModel } = await import('@twostep/io');
        await saveModel(worker.task.net, STORED_MODEL).catch(inThisBrowser);
        post({ type: 'saved' });
      });
    case 'load':
      return reporting('load', async () => {
        const { loadModel } = await import('@twostep/io');
        const stored = await loadModel(STORED_MODEL).catch(inThisBrowser);
        const { net, settings } = fitModel(stored, worker.task?.settings, k);
        await configure(k, settings, net);
      });
    case 'predict':
      if ('pixels' in command) return predictDigit(k, command.pixels);
      return predictTestDigit(k, command.testDigit);
  }
}

/**
 * Throws `error`, an io StorageError worded for the page (what to press, not what to call) when
 * the store is empty or missing; io is loaded on first use, so its class is known by name.
 */
function inThisBrowser(error: unknown): never {
  const kind =
    error instanceof TwoStepError && error.name === 'StorageError'
      ? (error as StorageError).kind
      : undefined;
  if (kind === 'missing') {
    throw new ConfigError(
      'Nothing is saved in this browser yet: press Save in this browser first.',
    );
  }
  if (kind === 'unavailable') {
    throw new ConfigError(
      'This browser gives the page no IndexedDB (a private window, or site data blocked): allow site data for this site, or export the model to a file instead.',
    );
  }
  throw error;
}

/** The current task, which must be MNIST's. */
function mnistTask(): Task {
  if (worker.task?.settings.task !== 'mnist') {
    throw new ConfigError('Predictions are for the MNIST task: switch the task to mnist first.');
  }
  return worker.task;
}

/** Test digit i of the split, classified like a drawn one. */
async function predictTestDigit(k: Backend, i: number): Promise<void> {
  const { test } = mnistTask();
  const count = test.inputs.length;
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new ConfigError(`Test digit ${i} does not exist: pick 0 … ${count - 1}.`);
  }
  const label = (test.targets[i] as number[]).indexOf(1);
  return predictDigit(k, Array.from(test.inputs[i]!), label);
}

/** Classifies a digit; its saliency is δup_0 for the predicted class as the target. */
async function predictDigit(k: Backend, pixels: readonly number[], label?: number): Promise<void> {
  const t = mnistTask();
  const [outputs] = await predict(k, t.net, [pixels]);
  const max = Math.max(...outputs!);
  const exp = outputs!.map((o) => Math.exp(o - max));
  const total = exp.reduce((a, b) => a + b, 0);
  const probabilities = exp.map((e) => e / total);
  const digit = probabilities.indexOf(Math.max(...probabilities));
  const target = probabilities.map((_, i) => (i === digit ? 1 : 0));
  const trace = await traceOf(k, t.net, t.settings.loss, pixels, target, -1);
  post({
    type: 'prediction',
    pixels: [...pixels],
    ...(label !== undefined && { label }),
    probabilities,
    digit,
    saliency: trace.deltaUp[0]!,
    trace,
  });
}

// Commands run one at a time, in order.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<unknown>) => {
  queue = queue
    .then(() => handle(checkCommand(event.data)))
    .catch((error: unknown) => fail('command', error));
};
