import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/run.js';
import { FileStore } from '../src/store.js';

const record = (id: string, testAccuracy = 0.5): RunRecord => ({
  id,
  settings: { seed: 1 } as never,
  epochs: [{ epoch: 1, trainLoss: 0.7, trainAccuracy: 0.5, testLoss: 0.69, testAccuracy }],
  seconds: [0.01],
});

const fresh = () => join(mkdtempSync(join(tmpdir(), 'twostep-study-')), 'records.jsonl');

describe('FileStore', () => {
  it('appends one JSON line per record and reads them back in order', async () => {
    const path = fresh();
    const store = new FileStore(path);
    expect(await store.records()).toEqual([]);
    expect(await store.add(record('a'))).toBe(true);
    expect(await store.add(record('b'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(
      `${JSON.stringify(record('a'))}\n${JSON.stringify(record('b'))}\n`,
    );
    expect(await new FileStore(path).records()).toEqual([record('a'), record('b')]);
  });

  it('never records a run twice', async () => {
    const path = fresh();
    const store = new FileStore(path);
    await store.add(record('a'));
    expect(await store.add(record('a', 0.9))).toBe(false);
    expect(await new FileStore(path).add(record('a', 0.9))).toBe(false);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    expect(await new FileStore(path).records()).toEqual([record('a')]);
  });

  it('cuts off the torn line a killed writer left, and appends after the last whole record', async () => {
    const path = fresh();
    await new FileStore(path).add(record('a'));
    appendFileSync(path, JSON.stringify(record('b')).slice(0, 40));
    const store = new FileStore(path);
    expect(await store.records()).toEqual([record('a')]);
    await store.add(record('c'));
    expect(await new FileStore(path).records()).toEqual([record('a'), record('c')]);
  });

  it('refuses a file with a line that is not a record, naming the line', () => {
    const path = fresh();
    writeFileSync(path, `${JSON.stringify(record('a'))}\n{"id":"b"}\n`);
    expect(() => new FileStore(path)).toThrow(
      new ConfigError(
        `${path}:2 is not a study record (a JSON object with id, settings, epochs and seconds); the file holds one record a line: remove the line or give another --out.`,
      ),
    );
  });
});
