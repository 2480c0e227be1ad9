/** Reading a checkpoint back for --resume: checked as a whole, and resumed only exactly. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TwoStepError } from '@twostep/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../src/train.js';
import { SMALL, tempDir } from './helpers.js';

type Json = Record<string, unknown>;
let saved: Json;

beforeAll(async () => {
  const model = join(await tempDir('file'), 'm.json');
  await runTraining({ ...SMALL, epochs: 1, checkpointEvery: 1, model });
  saved = JSON.parse(await readFile(join(model, '..', 'm.checkpoint.json'), 'utf8')) as Json;
});

/** Resumes from `text` as the checkpoint; the error it gives. */
async function resumeFrom(text: string, config: Partial<typeof SMALL> = {}) {
  const dir = await tempDir();
  await writeFile(join(dir, 'm.checkpoint.json'), text);
  return runTraining({ ...SMALL, ...config, model: join(dir, 'm.json') }, { resume: true }).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
}

describe('a checkpoint is checked as a whole', () => {
  const broken: [string, (c: Json) => unknown, RegExp][] = [
    ['no settings', ({ settings: _, ...c }) => c, /settings must be an object; it is missing/],
    [
      'history {}',
      (c) => ({ ...c, history: {} }),
      /history must be an array of 1 entries; it is \{\}/,
    ],
    [
      'history null',
      (c) => ({ ...c, history: null }),
      /history must be an array of 1 entries; it is null/,
    ],
    [
      'optimizer null',
      (c) => ({ ...c, optimizer: null }),
      /optimizer must be an object; it is null/,
    ],
    ['epoch "1"', (c) => ({ ...c, epoch: '1' }), /epoch must be an integer ≥ 1; it is "1"/],
    [
      'a loss of 1e400',
      (c) => ({ ...c, history: [{ ...(c.history as Json[])[0], loss: 'AS_WRITTEN' }] }),
      /history\[0\]\.loss must be a finite number; it is 1e400/,
    ],
    [
      'a network other than its settings',
      (c) => ({ ...c, settings: { ...(c.settings as Json), architecture: 'A[784,8,10]' } }),
      /network\.architecture must be \[784,8,10\] \(as settings\.architecture says\); it is \[784,16,10\]/,
    ],
    [
      'a setting out of range',
      (c) => ({ ...c, settings: { ...(c.settings as Json), batchSize: 0 } }),
      /settings\.batchSize: 0 is not an integer ≥ 1/,
    ],
    [
      'the moments of another optimizer',
      (c) => ({ ...c, optimizer: { ...(c.optimizer as Json), optimizer: 'adam' } }),
      /optimizer\.optimizer must be "momentum" \(as settings\.optimizer says\); it is "adam"/,
    ],
    [
      'a moment matrix cut short',
      (c) => {
        const optimizer = c.optimizer as { layers: { steps: number; slots: number[][] }[] };
        const [first, ...rest] = optimizer.layers;
        const layers = [{ ...first, slots: [first!.slots[0]!.slice(1)] }, ...rest];
        return { ...c, optimizer: { ...optimizer, layers } };
      },
      /optimizer\.layers\[0\]\.slots\[0\] must be an array of 12560 entries; it has 12559/,
    ],
    [
      'a weight',
      (c) => ({ ...c, network: { ...(c.network as Json), weights: [] } }),
      /network\.weights must be an array of 2 matrices/,
    ],
  ];

  it.each(broken)(
    '%s: an error naming the file, the field and its value',
    async (_, change, message) => {
      const text = JSON.stringify(change(saved)).replace('"AS_WRITTEN"', '1e400');
      const error = await resumeFrom(text, { epochs: 2 });
      expect(error).toBeInstanceOf(TwoStepError);
      expect(error!.message).toMatch(
        /^--resume: the checkpoint .*m\.checkpoint\.json is not valid: /,
      );
      expect(error!.message).toMatch(message);
      expect(error!.message).toContain('train again without --resume');
    },
  );
});

describe('resume is exact or refused', () => {
  it('refuses another backend or dtype, naming both values', async () => {
    const text = JSON.stringify(saved);
    const backend = await resumeFrom(text, { epochs: 2, backend: 'tfjs-cpu' });
    expect(backend?.message).toMatch(/was trained with backend "ts", not "tfjs-cpu"/);
    const dtype = await resumeFrom(text, { epochs: 2, dtype: 'float64' });
    expect(dtype?.message).toMatch(/was trained with dtype "float32", not "float64"/);
    expect(dtype?.message).toContain('only epochs may change');
    // The same effective dtype written another way is the same run.
    expect(await resumeFrom(text, { epochs: 2, dtype: 'float32' })).toBeUndefined();
  });
});
