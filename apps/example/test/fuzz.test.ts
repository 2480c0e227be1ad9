/**
 * Property-based fuzzing of everything the app reads: config objects, the command line, run
 * records, checkpoints, predict's input files and model files. Any input ends in a result or a TwoStepError (which the CLI prints
 * as one line), never another exception, never a hang (seed and budget: `@twostep/fuzz`).
 * `FUZZ_SECONDS=600 pnpm --filter @twostep/example test fuzz` runs longer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '@twostep/backend-ts';
import { Network, predict, serialize } from '@twostep/core';
import { brokenFrom, endsWell, endsWellAsync, FUZZ_TIMEOUT, fc, fuzz, nasty } from '@twostep/fuzz';
import { LAYERS_WEIGHTS_FILE, toLayers, toOnnx } from '@twostep/io';
import { describe, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';
import { checkConfig } from '../src/config.js';
import { readModel } from '../src/files.js';
import { runImport } from '../src/import.js';
import { checkCheckpoint } from '../src/model.js';
import { checkRunRecord } from '../src/record.js';
import { runTraining } from '../src/train.js';
import { parseImages } from '../src/use.js';
import { SMALL, tempDir } from './helpers.js';
import { fixture } from './report-helpers.js';

/** Tokens that break JSON, or make a value of the wrong kind or one beyond a double. */
const TOKENS = [
  '1e400',
  '-1e400',
  `1${'0'.repeat(400)}`,
  '"0.5"',
  'null',
  '[',
  ']',
  ',',
  '{',
  '-0',
];

/**
 * The text of a file: `valid` (a parsed file) with one field broken, any JSON, any text, or
 * `valid`'s text with a token written over part of it.
 */
function fileText(valid: unknown) {
  const text = JSON.stringify(valid);
  return fc.oneof(
    brokenFrom(valid).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc
      .tuple(fc.nat(text.length), fc.nat(12), fc.constantFrom(...TOKENS))
      .map(([at, cut, token]) => text.slice(0, at) + token + text.slice(at + cut)),
  );
}

const CONFIG = {
  threads: 2,
  architecture: 'A[784,32,10]',
  activation: 'sigmoid',
  loss: 'softmaxCrossEntropy',
  optimizer: { name: 'momentum', learningRate: 0.1, momentum: 0.9 },
  epochs: 3,
  batchSize: 32,
  trainSize: 1000,
  testSize: 200,
  seed: 1,
};

describe('fuzz: what the app reads ends in a result or a TwoStepError', {
  timeout: FUZZ_TIMEOUT,
}, () => {
  it('a config object with any field broken', async () => {
    await fuzz(
      fc.property(brokenFrom(CONFIG), (value) => {
        endsWell(() => checkConfig(value, 'fuzz.json'));
      }),
    );
  });

  it('any command line', async () => {
    const flag = fc.constantFrom(
      '--epochs',
      '--batch-size',
      '--architecture',
      '--learning-rate',
      '--optimizer',
      '--backend',
      '--dtype',
      '--threads',
      '--seed',
      '--train-size',
      '--model',
      '--config',
      '-h',
      'train',
      'evaluate',
      'import',
      '--out',
      '--force',
    );
    const word = fc.oneof(flag, nasty.map(String), fc.string());
    await fuzz(
      fc.property(fc.array(word, { maxLength: 6 }), (argv) => {
        endsWell(() => parseCommandLine(argv, '/tmp'));
      }),
    );
  });

  it('a run record with any field broken', async () => {
    const record = JSON.parse(JSON.stringify(fixture(3))) as unknown;
    await fuzz(
      fc.property(brokenFrom(record), (value) => {
        endsWell(() => checkRunRecord(value, 'run.json'));
      }),
    );
  });

  it('a checkpoint with any field broken', async () => {
    const model = join(await tempDir('file'), 'm.json');
    await runTraining({ ...SMALL, epochs: 1, checkpointEvery: 1, model });
    const checkpoint = JSON.parse(await readFile(join(model, '..', 'm.checkpoint.json'), 'utf8'));
    await fuzz(
      fc.property(brokenFrom(checkpoint), (value) => {
        endsWell(() => checkCheckpoint(value, 'checkpoint.json'));
      }),
    );
  });

  it('a predict input file: any text, any JSON, or a valid one with one field broken', async () => {
    const image = Array.from({ length: 784 }, (_, i) => (i % 5) / 4);
    await fuzz(
      fc.property(fileText([image, image]), (text) => {
        endsWell(() => parseImages(text, 'in.json'));
      }),
    );
  });

  it('a model file, read as evaluate, predict and export read it, then run and exported', async () => {
    const backend = createBackend({ dtype: 'float32' });
    const model = join(await tempDir(), 'm.json');
    const valid = JSON.parse(
      serialize(
        Network.create({
          architecture: [3, 4, 2],
          activations: [{ name: 'leakyRelu', alpha: 0.1 }, 'sigmoid'],
          seed: 1,
        }),
      ),
    ) as unknown;
    await fuzz(
      fc.asyncProperty(fileText(valid), async (text) => {
        await writeFile(model, text);
        const net = await endsWellAsync(() => readModel(model, 'evaluate'));
        if (!net) return;
        endsWell(() => toLayers(net));
        endsWell(() => toOnnx(net));
        const inputs = [Array<number>(net.architecture[0]!).fill(0.5)];
        await endsWellAsync(() => predict(backend, net, inputs));
        net.release(backend);
      }),
    );
  });

  it('a twostep model file or a Layers model.json, imported', async () => {
    const dir = await tempDir();
    const net = Network.create({ architecture: [3, 4, 2], activations: ['tanh', 'sigmoid'] });
    const { modelJson, weightData } = toLayers(net);
    await writeFile(join(dir, LAYERS_WEIGHTS_FILE), new Uint8Array(weightData));
    const io = { env: {}, cwd: dir, stdout: () => {}, stderr: () => {} };
    const args = ['model.json', '--out', 'out.json', '--force'];
    await fuzz(
      fc.asyncProperty(
        fc.oneof(fileText(JSON.parse(serialize(net))), fileText(modelJson)),
        async (text) => {
          await writeFile(join(dir, 'model.json'), text);
          await endsWellAsync(() => runImport(args, io));
        },
      ),
    );
  });
});
