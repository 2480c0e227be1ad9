/** Reading a run record back: every bad field named, with the file. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TwoStepError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { readRunRecord } from '../src/record.js';
import { tempDir } from './helpers.js';
import { fixture } from './report-helpers.js';

describe('readRunRecord', () => {
  it('reads a record back', async () => {
    const file = join(await tempDir(), 'mnist.run.json');
    await writeFile(file, JSON.stringify(fixture()));
    expect(await readRunRecord(file)).toEqual(fixture());
  });

  const broken: [string, (r: Record<string, unknown>) => unknown, RegExp][] = [
    ['format', (r) => ({ ...r, format: 'twostep-model' }), /format must be "twostep-run"/],
    ['version', (r) => ({ ...r, version: 2 }), /version must be 1/],
    ['backend', (r) => ({ ...r, backend: { name: 'ts' } }), /backend\.dtype must be a string/],
    [
      'an epoch',
      (r) => ({ ...r, epochs: [fixture().epochs[0], { ...fixture().epochs[1], loss: 'low' }] }),
      /epochs\[1\]\.loss must be a finite number; it is "low"/,
    ],
    [
      'an accuracy',
      (r) => ({ ...r, testAccuracy: 94.2 }),
      /testAccuracy must be a finite number in \[0, 1\]; it is 94\.2/,
    ],
    [
      'the confusion matrix',
      (r) => ({ ...r, confusion: fixture().confusion.slice(1) }),
      /confusion must be an array of 10 entries; it has 9/,
    ],
    [
      'a confusion count',
      (r) => ({
        ...r,
        confusion: fixture().confusion.map((row, i) =>
          i === 2 ? row.map((n, j) => (j === 5 ? -1 : n)) : row,
        ),
      }),
      /confusion\[2\]\[5\] must be an integer ≥ 0/,
    ],
    [
      'a digit',
      (r) => ({ ...r, misclassified: [{ ...fixture().misclassified[0], pixels: [0, 1] }] }),
      /misclassified\[0\]\.pixels must be an array of 784 entries; it has 2/,
    ],
    [
      'a label',
      (r) => ({ ...r, misclassified: [{ ...fixture().misclassified[0], label: 10 }] }),
      /misclassified\[0\]\.label must be an integer in \[0, 9\]/,
    ],
    ['the root', () => [1, 2], /the record must be an object; it is \[1,2\]/],
    [
      'a number too large, as written',
      (r) => ({ ...r, epochs: [{ ...fixture().epochs[0], loss: 'LOSS_AS_WRITTEN' }] }),
      /epochs\[0\]\.loss must be a finite number; it is 1e400\.$/,
    ],
    [
      'an epoch out of order',
      (r) => ({ ...r, epochs: [fixture().epochs[1]] }),
      /epochs\[0\]\.epoch must be an integer in \[1, 1\]; it is 2/,
    ],
  ];

  it.each(broken)('names the file and the bad field: %s', async (_, change, message) => {
    const file = join(await tempDir(), 'bad.run.json');
    const text = JSON.stringify(change(fixture() as unknown as Record<string, unknown>));
    await writeFile(file, text.replace('"LOSS_AS_WRITTEN"', '1e400'));
    const error = await readRunRecord(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwoStepError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it('says when the file is missing or not JSON', async () => {
    const dir = await tempDir();
    await expect(readRunRecord(join(dir, 'none.run.json'))).rejects.toThrow(
      /cannot read the run record .*none\.run\.json \(ENOENT\)/,
    );
    await writeFile(join(dir, 'bad.json'), '{"format": ');
    await expect(readRunRecord(join(dir, 'bad.json'))).rejects.toThrow(
      /the run record .*bad\.json is not JSON/,
    );
  });
});
