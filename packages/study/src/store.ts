/**
 * Where a study's records live: a local JSON-lines file, one record a line. A record is
 * appended with one write and flushed to disk before the run counts as done, so a study killed
 * at any moment loses at most the runs in flight; the torn line such a kill may leave is cut
 * off when the file is opened again.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { ConfigError } from '@twostep/core';
import type { RunRecord } from './run.js';

/** Records by run id: what a study has done. */
export interface RecordStore {
  /** Every record, in the order they were added, one per run id. */
  records(): Promise<RunRecord[]>;
  /** Adds a record unless its run's is there already; true when it was added. */
  add(record: RunRecord): Promise<boolean>;
}

function isRecord(value: unknown): value is RunRecord {
  const r = value as RunRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    typeof r.settings === 'object' &&
    Array.isArray(r.epochs) &&
    Array.isArray(r.seconds)
  );
}

/**
 * A JSON-lines file of records (created when missing). Lines that are not records are an
 * error naming the line, except a last line without its newline, which a killed writer left:
 * it is dropped. One process writes a file at a time.
 */
export class FileStore implements RecordStore {
  readonly path: string;
  readonly #byId = new Map<string, RunRecord>();

  constructor(path: string) {
    this.path = path;
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
    text
      .slice(0, end)
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        if (!isRecord(value)) {
          throw new ConfigError(
            `${path}:${i + 1} is not a study record (a JSON object with id, settings, epochs and seconds); the file holds one record a line: remove the line or give another --out.`,
          );
        }
        if (!this.#byId.has(value.id)) this.#byId.set(value.id, value);
      });
  }

  async records(): Promise<RunRecord[]> {
    return [...this.#byId.values()];
  }

  async add(record: RunRecord): Promise<boolean> {
    if (this.#byId.has(record.id)) return false;
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#byId.set(record.id, record);
    return true;
  }
}
