/**
 * Property-based fuzzing of everything the playground reads: the worker's messages, the
 * settings form, the backend config and URL, imported model files. Any input ends in a result
 * or a TwoStepError (which the page shows), never another exception (seed and budget:
 * `@twostep/fuzz`). `FUZZ_SECONDS=600 pnpm vitest run test/fuzz` runs longer.
 */
import { createBackend } from '@twostep/backend-ts';
import {
  ACTIVATION_NAMES,
  formatArchitecture,
  LEARNING_MODES,
  LOSS_NAMES,
  Network,
  OPTIMIZER_NAMES,
  serialize,
} from '@twostep/core';
import {
  anyValue,
  brokenFrom,
  endsWell,
  endsWellAsync,
  FUZZ_TIMEOUT,
  fc,
  fuzz,
  nasty,
} from '@twostep/fuzz';
import { toLayers, toOnnx } from '@twostep/io';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/check-command.js';
import { checkConfigFile, choiceFromUrl, resolveChoice } from '../src/config.js';
import { TOY_DATASETS } from '../src/datasets.js';
import { modelSettings, readModel } from '../src/import-model.js';
import type { ModelFile } from '../src/protocol.js';
import { checkSettings, DEFAULTS, type Settings, TASKS, toForm } from '../src/settings.js';
import { COMMANDS } from './commands.js';

/** Settings the page may send: the form takes them back as they are, and so does the worker. */
function expectSendable(settings: Settings): void {
  expect(checkSettings(toForm(settings))).toEqual({ ok: true, settings });
  expect(checkCommand({ type: 'configure', settings })).toEqual({ type: 'configure', settings });
}

const f32 = createBackend({ dtype: 'float32' });
const current = fc.constantFrom(DEFAULTS.toy, DEFAULTS.mnist, undefined);

/** Text of a form field: a name the field may take, a number as text, or anything. */
const text = (names: readonly string[] = []) =>
  fc.oneof(
    fc.string(),
    nasty.map(String),
    fc.double({ min: -1, max: 3000 }).map(String),
    fc.integer({ min: -2, max: 3000 }).map(String),
    ...(names.length > 0 ? [fc.constantFrom(...names)] : []),
  );

const architecture = fc.tuple(
  fc.constantFrom(2, 784, 3, 1),
  fc.array(fc.constantFrom(1, 2, 8, 32, 33, 256, 257), { maxLength: 7 }),
  fc.constantFrom(1, 2, 10, 3),
);

describe('fuzz: what the playground reads ends in a result or a TwoStepError', {
  timeout: FUZZ_TIMEOUT,
}, () => {
  it('any message to the worker', async () => {
    await fuzz(
      fc.property(anyValue, (value) => {
        endsWell(() => checkCommand(value));
      }),
    );
  });

  it('a valid command with any field broken; what passes passes again unchanged', async () => {
    await fuzz(
      fc.property(fc.constantFrom(...COMMANDS).chain(brokenFrom), (value) => {
        const command = endsWell(() => checkCommand(value));
        if (command) expect(checkCommand(command)).toEqual(command);
      }),
    );
  });

  it('any settings form; settings it accepts round-trip and the worker takes them', async () => {
    // Mostly the task's defaults, each field sometimes any text: forms that pass, and not.
    const form = fc.constantFrom(...TASKS).chain((task) => {
      const valid = toForm(DEFAULTS[task]);
      const field = <T>(value: T, other: fc.Arbitrary<T>) =>
        fc.oneof({ arbitrary: fc.constant(value), weight: 4 }, { arbitrary: other, weight: 1 });
      return fc.record({
        task: field(valid.task, text(TASKS)),
        dataset: field(valid.dataset, text(TOY_DATASETS)),
        points: field(valid.points, text()),
        noise: field(valid.noise, text()),
        dataSeed: field(valid.dataSeed, text()),
        architecture: field(
          valid.architecture,
          fc.oneof(
            fc.string(),
            architecture.map(([i, h, o]) => formatArchitecture([i, ...h, o])),
          ),
        ),
        activations: field(
          valid.activations,
          fc.array(text(ACTIVATION_NAMES), { maxLength: 8 }) as fc.Arbitrary<readonly string[]>,
        ),
        loss: field(valid.loss, text(LOSS_NAMES)),
        optimizer: field(valid.optimizer, text(OPTIMIZER_NAMES)),
        learningRate: field(valid.learningRate, text()),
        mode: field(valid.mode, text(LEARNING_MODES)),
        batchSize: field(valid.batchSize, text()),
        seed: field(valid.seed, text()),
      });
    });
    await fuzz(
      fc.property(form, (f) => {
        const checked = endsWell(() => checkSettings(f));
        if (checked?.ok) expectSendable(checked.settings);
      }),
    );
  });

  it('any config file, URL and choice', async () => {
    const search = fc.oneof(
      fc.string(),
      fc
        .tuple(
          text(['ts', 'tfjs-cpu', 'tfjs-wasm']),
          text(['float32', 'float64', 'default']),
          text(['1', '2', '64', 'default']),
        )
        .map(([b, d, t]) => `?${new URLSearchParams({ backend: b, dtype: d, threads: t })}`),
    );
    const file = fc.oneof(
      anyValue,
      brokenFrom({ backend: 'tfjs-cpu', dtype: 'float64' }),
      brokenFrom({ backend: 'ts', dtype: 'float64', threads: 2 }),
    );
    await fuzz(
      fc.property(file, search, (f, s) => {
        endsWell(() => checkConfigFile(f));
        endsWell(() => choiceFromUrl(s));
        const choice = endsWell(() => resolveChoice(f, s));
        if (choice) {
          const init = { type: 'init', choice, digitsUrl: '' } as const;
          expect(checkCommand(init)).toEqual(init);
        }
      }),
    );
  });

  it('any model: settings the page may send back, or a refusal', async () => {
    const model = fc
      .tuple(architecture, fc.array(fc.constantFrom(...ACTIVATION_NAMES), { minLength: 8 }))
      .map(([[inputs, hidden, outputs], names]) =>
        Network.create({
          architecture: [inputs, ...hidden, outputs],
          activations: names.slice(0, hidden.length + 1),
        }),
      );
    await fuzz(
      fc.property(model, current, (net, settings) => {
        const s = endsWell(() => modelSettings(net, settings));
        if (s) {
          expect(s.architecture).toEqual(net.architecture);
          expectSendable(s);
        }
      }),
    );
  });

  it('a model file with any field broken, any number as written, or any text', async () => {
    const file = JSON.parse(
      serialize(Network.create({ architecture: [2, 3, 2], activations: ['relu', 'identity'] })),
    );
    const literal = fc.constantFrom('1e300', '-1e39', '3.5e38', '1e400', '-1e999', '1e-400', '-0');
    const modelText = fc.oneof(
      brokenFrom(file).map((v) => JSON.stringify(v) ?? 'undefined'),
      fc.tuple(fc.nat(1), fc.nat(2), fc.nat(3), literal).map(([h, r, c, l]) => {
        const copy = structuredClone(file);
        copy.weights[h][r % copy.weights[h].length][c] = 'LITERAL';
        return JSON.stringify(copy).replace('"LITERAL"', l);
      }),
      fc.string(),
    );
    await fuzz(
      fc.asyncProperty(modelText, current, async (text, settings) => {
        await expectRead([{ name: 'model.json', text }], settings);
      }),
    );
  });

  it('any selection of files, as the worker gets them', async () => {
    const file = fc.record({
      name: fc.oneof(fc.constantFrom('model.json', 'm.onnx', 'weights.bin', 'a.txt'), fc.string()),
      body: fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }), anyValue),
    });
    const files = fc
      .array(file, { maxLength: 4 })
      .map((fs) =>
        fs.map(({ name, body }) =>
          body instanceof Uint8Array ? { name, bytes: body } : { name, text: body },
        ),
      );
    await fuzz(
      fc.asyncProperty(files, current, async (data, settings) => {
        const command = endsWell(() => checkCommand({ type: 'import', files: data }));
        if (command?.type === 'import') await expectRead(command.files, settings);
      }),
    );
  });

  const net = Network.create({ architecture: [2, 3, 2], activations: ['tanh', 'identity'] });
  const onnx = toOnnx(net);
  const layers = toLayers(net);

  it('an .onnx file with any bytes changed, cut or added', async () => {
    const edit = fc.oneof(
      fc.tuple(fc.nat(onnx.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = onnx.slice();
        copy[at] = byte;
        return copy;
      }),
      fc.nat(onnx.length).map((length) => onnx.slice(0, length)),
      fc.uint8Array({ maxLength: 16 }).map((tail) => new Uint8Array([...onnx, ...tail])),
    );
    await fuzz(
      fc.asyncProperty(edit, current, async (bytes, settings) => {
        await expectRead([{ name: 'model.onnx', bytes }], settings);
      }),
    );
  });

  it('a Layers model.json with any field broken, and its weights cut or grown', async () => {
    const weights = new Uint8Array(layers.weightData);
    const data = fc.oneof(
      fc.constant(weights),
      fc.nat(weights.length).map((length) => weights.slice(0, length)),
      fc
        .uint8Array({ minLength: 1, maxLength: 8 })
        .map((tail) => new Uint8Array([...weights, ...tail])),
    );
    await fuzz(
      fc.asyncProperty(
        brokenFrom(layers.modelJson),
        data,
        current,
        async (json, bytes, settings) => {
          const text = JSON.stringify(json) ?? 'undefined';
          await expectRead(
            [
              { name: 'model.json', text },
              { name: 'weights.bin', bytes },
            ],
            settings,
          );
        },
      ),
    );
  });
});

/** The files end in settings the page may send back, or a TwoStepError. */
async function expectRead(files: readonly ModelFile[], settings: Settings | undefined) {
  const read = await endsWellAsync(() => readModel(files, settings, f32));
  if (read) {
    expectSendable(read.settings);
    read.net.release(f32);
  }
}
