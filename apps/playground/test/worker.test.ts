/**
 * The training worker in Node, on the ts backend: `self` is a stand-in that records the
 * reports. Bad messages and refused models become error reports, and the network stays.
 */
import { availableParallelism } from 'node:os';
import { defaultThreads } from '@twostep/backend-ts';
import { deserialize, Network, serialize } from '@twostep/core';
import { fromLayers, fromOnnx } from '@twostep/io';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelFile, Report } from '../src/protocol.js';
import { DEFAULTS } from '../src/settings.js';

const reports: Report[] = [];
const scope = {
  postMessage: (report: Report) => reports.push(report),
  onmessage: undefined as ((event: { data: unknown }) => void) | undefined,
};
vi.stubGlobal('self', scope);

/** Sends `data` and waits for a report of type `until`; the reports it caused. */
async function send(data: unknown, until: Report['type']): Promise<Report[]> {
  const from = reports.length;
  scope.onmessage!({ data });
  await vi.waitFor(() => expect(reports.slice(from).map((r) => r.type)).toContain(until), {
    timeout: 20_000,
  });
  return reports.slice(from);
}

const errorOf = (sent: Report[]) => sent.find((r) => r.type === 'error');

/** The files the worker exports in `format`. */
async function exported(format: string): Promise<ModelFile[]> {
  const sent = await send({ type: 'export', format }, 'model');
  return (sent.find((r) => r.type === 'model') as Extract<Report, { type: 'model' }>).files;
}

/** A toy model file: A[2,3,2], with `change` applied to its parsed form. */
function modelFile(change: (file: { weights: number[][][] }) => void = () => {}): string {
  const net = Network.create({ architecture: [2, 3, 2], activations: ['relu', 'identity'] });
  const file = JSON.parse(serialize(net));
  change(file);
  return JSON.stringify(file);
}

beforeAll(async () => {
  await import('../src/worker.js');
  const ready = await send(
    {
      type: 'init',
      choice: { backend: 'ts', dtype: 'float32', threads: 'default' },
      digitsUrl: '',
    },
    'ready',
  );
  expect(ready).toMatchObject([{ type: 'ready', backend: 'ts', dtype: 'float32' }]);
  await send({ type: 'configure', settings: DEFAULTS.toy }, 'snapshot');
});

describe('the worker', () => {
  it('says how many threads ts computes on (by default the cores, at most 8), and its line', () => {
    const cores = defaultThreads();
    expect(cores).toBe(Math.min(8, availableParallelism()));
    expect(reports.find((r) => r.type === 'ready')).toMatchObject({
      threads: cores,
      description: expect.stringMatching(new RegExp(`^ts float32 · .+ · ${cores} threads?$`)),
    });
  });

  it.each<[unknown, string]>([
    [null, 'the command must be an object; it is null'],
    [
      { type: 'speed', epochsPerSecond: -1 },
      'speed.epochsPerSecond must be a positive finite number or null; it is -1',
    ],
    [{ type: 'trace' }, 'trace.sample must be an integer ≥ 0; it is missing'],
    [
      { type: 'configure', settings: { ...DEFAULTS.toy, architecture: null } },
      'configure.settings.architecture must be an array; it is null',
    ],
  ])('reports a bad message %j as an error of the command, and goes on', async (data, message) => {
    expect(errorOf(await send(data, 'error'))).toEqual({
      type: 'error',
      stage: 'command',
      name: 'ConfigError',
      message: `The page sent the worker a bad command: ${message}.`,
    });
    expect((await send({ type: 'step' }, 'snapshot')).map((r) => r.type)).toEqual(['snapshot']);
  });

  it('sends no snapshot while running until the page drew the last, and one at a pause', async () => {
    await send({ type: 'configure', settings: DEFAULTS.toy }, 'snapshot'); // not acknowledged
    const from = reports.length;
    const snapshots = () =>
      reports.slice(from).flatMap((r) => (r.type === 'snapshot' ? [r.snapshot] : []));
    scope.onmessage!({ data: { type: 'run' } });
    // Epochs go on (a fraction of a millisecond each here), unseen.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(snapshots()).toEqual([]);
    for (let drawn = 1; drawn <= 3; drawn++) {
      scope.onmessage!({ data: { type: 'drawn' } });
      await vi.waitFor(() => expect(snapshots()).toHaveLength(drawn), { timeout: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(snapshots()).toHaveLength(drawn);
    }
    const paused = (await send({ type: 'pause' }, 'snapshot')).find((r) => r.type === 'snapshot');
    const last = (paused as Extract<Report, { type: 'snapshot' }>).snapshot;
    expect(last.running).toBe(false);
    // The loss curve holds every epoch run, the latest loss last.
    expect(last.losses.epochs).toBe(last.epoch);
    expect(last.epoch).toBeGreaterThan(snapshots()[0]!.epoch);
    expect(last.losses.last).toBeGreaterThan(0);
    expect(last.losses.points.length).toBe(
      Math.ceil(last.losses.epochs / last.losses.epochsPerPoint),
    );
  });

  it('reports a model whose weights a float32 backend cannot hold, and keeps the network', async () => {
    const before = await send({ type: 'export', format: 'twostep' }, 'model');
    const sent = await send(
      {
        type: 'import',
        files: [
          {
            name: 'huge.json',
            text: modelFile((f) => {
              f.weights[0]![1]![0] = 1e300;
            }),
          },
        ],
      },
      'error',
    );
    expect(sent).toEqual([
      {
        type: 'error',
        stage: 'import',
        name: 'DTypeError',
        message: expect.stringMatching(/^W1\[1\]\[0\] .* is 1e\+300, beyond the float32 range/),
      },
    ]);
    expect(await send({ type: 'export', format: 'twostep' }, 'model')).toEqual(before);
  });

  it('reports a model beyond the limits, and keeps the network', async () => {
    const wide = Network.create({ architecture: [2, 40, 2], activations: ['tanh', 'identity'] });
    const sent = await send(
      { type: 'import', files: [{ name: 'wide.json', text: serialize(wide) }] },
      'error',
    );
    expect(sent).toEqual([
      {
        type: 'error',
        stage: 'import',
        name: 'ConfigError',
        message:
          'This model, A[2,40,2], does not fit the playground: hidden layers of at most 32 neurons here; 40 is too wide. It can still be used from Node.',
      },
    ]);
  });

  it('imports a model that fits, and its settings are ones the page may send back', async () => {
    const json = modelFile();
    const sent = await send(
      { type: 'import', files: [{ name: 'm.json', text: json }] },
      'snapshot',
    );
    const configured = sent.find((r) => r.type === 'configured')!;
    expect(configured.settings).toEqual({
      ...DEFAULTS.toy,
      architecture: [2, 3, 2],
      activations: ['relu', 'identity'],
    });
    expect(await exported('twostep')).toEqual([{ name: 'twostep-toy-model.json', text: json }]);
    const again = await send({ type: 'configure', settings: configured.settings }, 'snapshot');
    expect(again.map((r) => r.type)).toEqual(['configured', 'snapshot']);
  });

  it('exports ONNX and TensorFlow.js Layers files of the network', async () => {
    // Each file's text or bytes, by its name.
    const files = async (format: string) =>
      Object.fromEntries(
        (await exported(format)).map((f) => [f.name, 'text' in f ? f.text : f.bytes]),
      );
    const twostep = await files('twostep');
    const weights = deserialize(twostep['twostep-toy-model.json'] as string)
      .getWeights()
      .map((w) => w.map((row) => row.map(Math.fround)));
    const onnx = await files('onnx');
    expect(Object.keys(onnx)).toEqual(['twostep-toy-model.onnx']);
    expect(fromOnnx(onnx['twostep-toy-model.onnx'] as Uint8Array).getWeights()).toEqual(weights);
    const layers = await files('tfjs-layers');
    expect(Object.keys(layers)).toEqual(['model.json', 'weights.bin']);
    const net = fromLayers(layers['model.json'], layers['weights.bin'] as Uint8Array);
    expect(net.getWeights()).toEqual(weights);
  });

  it('says that saving and loading need IndexedDB, which Node does not have, in the page’s words', async () => {
    for (const type of ['save', 'load'] as const) {
      expect(errorOf(await send({ type }, 'error'))).toEqual({
        type: 'error',
        stage: type,
        name: 'ConfigError',
        message:
          'This browser gives the page no IndexedDB (a private window, or site data blocked): allow site data for this site, or export the model to a file instead.',
      });
    }
  });
});
