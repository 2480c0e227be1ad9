/**
 * Property-based fuzzing of everything the app reads: config objects, the command line, run
 * records and checkpoints. Any input ends in a result or a TwoStepError (which the CLI prints
 * as one line), never another exception, never a hang (seed and budget: `@twostep/fuzz`).
 * `FUZZ_SECONDS=600 pnpm --filter @twostep/example test fuzz` runs longer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TwoStepError } from '@twostep/core';
import { brokenFrom, endsWell as ends, FUZZ_TIMEOUT, fc, fuzz, nasty } from '@twostep/fuzz';
import { describe, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';
import { checkConfig } from '../src/config.js';
import { checkCheckpoint } from '../src/model.js';
import { checkRunRecord } from '../src/record.js';
import { runTraining } from '../src/train.js';
import { SMALL, tempDir } from './helpers.js';
import { fixture } from './report-helpers.js';

const endsWell = <T>(fn: () => T) =>
  ends(fn, (error) => error instanceof TwoStepError && typeof error.code === 'string');

const CONFIG = {
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
      '--seed',
      '--train-size',
      '--model',
      '--config',
      '-h',
      'train',
      'evaluate',
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
});
