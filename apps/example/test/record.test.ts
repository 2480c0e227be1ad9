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
      /epochs\[1\]\.loss must be a number/,
    ],
    [
      'an accuracy',
      (r) => ({ ...r, testAccuracy: 94.2 }),
      /testAccuracy must be a number in \[0, 1\]/,
    ],
    [
      'the confusion matrix',
      (r) => ({ ...r, confusion: fixture().confusion.slice(1) }),
      /confusion must have 10 entries, not 9/,
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
      /misclassified\[0\]\.pixels must have 784 entries, not 2/,
    ],
    [
      'a label',
      (r) => ({ ...r, misclassified: [{ ...fixture().misclassified[0], label: 10 }] }),
      /misclassified\[0\]\.label must be an integer in \[0, 9\]/,
    ],
    ['the root', () => [1, 2], /the record must be an object/],
  ];

  it.each(broken)('names the file and the bad field: %s', async (_, change, message) => {
    const file = join(await tempDir(), 'bad.run.json');
    await writeFile(file, JSON.stringify(change(fixture() as unknown as Record<string, unknown>)));
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
