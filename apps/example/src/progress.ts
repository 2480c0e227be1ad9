/**
 * What `train` tells the user while it works, as events: drawn as a progress bar on a
 * terminal, as plain lines elsewhere (CI, pipes), or as one JSON object per line (`--json`).
 */
import { isAbsolute, relative } from 'node:path';
import type { EpochRecord } from './record.js';

export type TrainEvent =
  | {
      readonly type: 'start';
      readonly backend: string;
      readonly dtype: string;
      /** The threads the backend computes on, when it counts them (ts does). */
      readonly threads?: number;
      readonly architecture: string;
      readonly activation: string;
      readonly loss: string;
      readonly optimizer: string;
      readonly mode: string;
      readonly batchSize: number;
      readonly trainSize: number;
      readonly testSize: number;
      /** Epochs already done (when resuming). */
      readonly initialEpoch: number;
      readonly epochs: number;
    }
  | {
      readonly type: 'batch';
      readonly epoch: number;
      readonly batch: number;
      readonly batches: number;
      readonly samplesPerSecond: number;
      /** Seconds left for the whole run, at the current speed. */
      readonly eta: number;
    }
  | ({ readonly type: 'epoch'; readonly epochs: number } & EpochRecord)
  | { readonly type: 'checkpoint'; readonly epoch: number; readonly path: string }
  /** Something the run cleaned up or worked around before training (a stale lock, …). */
  | { readonly type: 'note'; readonly message: string }
  | {
      readonly type: 'done';
      readonly epochs: number;
      /** Training time (epochs of this run, without evaluation). */
      readonly seconds: number;
      readonly samplesPerSecond: number;
      readonly testAccuracy: number;
      readonly confusion: number[][];
      readonly model: string;
      readonly run: string;
    };

/** A terminal to draw on: text without a newline, and its width. */
export interface Terminal {
  write(text: string): void;
  readonly columns: number;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
/** `x` rounded, with thousands separated: 25,450. */
export const count = (x: number) => Math.round(x).toLocaleString('en-US');
const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** The confusion matrix as aligned text: a row per true digit, a column per prediction. */
export function confusionTable(confusion: number[][], classes: readonly string[]): string[] {
  const width = Math.max(4, ...confusion.flat().map((n) => String(n).length + 1));
  const cell = (text: string) => text.padStart(width);
  return [
    `true ↓  predicted →`,
    `   ${classes.map(cell).join('')}`,
    ...confusion.map(
      (row, i) => `${classes[i]!.padStart(3)}${row.map((n) => cell(String(n))).join('')}`,
    ),
  ];
}

/** `1 thread`, `2 threads`. */
export const threadsText = (threads: number) => `${threads} thread${threads === 1 ? '' : 's'}`;

/**
 * `ts (float32, 2 threads)`, or `tfjs-cpu (float32)` for a backend that does not count its
 * threads: the backend as the app names it when it starts computing.
 */
export function backendLabel(backend: {
  readonly name: string;
  readonly dtype: string;
  readonly threads?: number;
}): string {
  const { name, dtype, threads } = backend;
  return `${name} (${dtype}${threads === undefined ? '' : `, ${threadsText(threads)}`})`;
}

/** `path` relative to `cwd` when it is inside it. */
const shown = (path: string, cwd: string) => {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
};

/**
 * Plain lines, and on a terminal a progress bar redrawn in place during each epoch; paths
 * inside `cwd` are shown relative to it.
 */
export function textReporter(
  line: (text: string) => void,
  classes: readonly string[],
  cwd: string,
  terminal?: Terminal,
): (event: TrainEvent) => void {
  let barShown = false;
  const clearBar = () => {
    if (barShown) terminal?.write('\r\x1b[2K');
    barShown = false;
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        line(
          `training ${e.architecture} (${e.activation}) on ${count(e.trainSize)} MNIST digits, ${count(e.testSize)} held out for testing`,
        );
        line(
          `backend ${backendLabel({ name: e.backend, dtype: e.dtype, threads: e.threads })}, ${e.loss}, ${e.optimizer}, ${e.mode} mode, batch ${e.batchSize}` +
            (e.initialEpoch > 0 ? `, resuming after epoch ${e.initialEpoch}` : ''),
        );
        return;
      case 'batch': {
        if (!terminal) return;
        const label = `epoch ${e.epoch} `;
        const tail = ` ${String(Math.floor((100 * e.batch) / e.batches)).padStart(3)}%  ${count(e.samplesPerSecond)} samples/s  ETA ${clock(e.eta)}`;
        const room = Math.max(10, Math.min(40, terminal.columns - label.length - tail.length - 3));
        const done = Math.round((room * e.batch) / e.batches);
        terminal.write(`\r${label}[${'█'.repeat(done)}${'·'.repeat(room - done)}]${tail}`);
        barShown = true;
        return;
      }
      case 'epoch': {
        clearBar();
        const width = String(e.epochs).length;
        line(
          `epoch ${String(e.epoch).padStart(width)}/${e.epochs}  loss ${e.loss.toFixed(4)}  ` +
            `train ${percent(e.trainAccuracy)}  test ${percent(e.testAccuracy)}  ` +
            `${count(e.samplesPerSecond)} samples/s  ${e.seconds.toFixed(1)} s`,
        );
        return;
      }
      case 'checkpoint':
        line(`checkpoint after epoch ${e.epoch}: ${shown(e.path, cwd)}`);
        return;
      case 'note':
        line(`note: ${e.message}`);
        return;
      case 'done':
        clearBar();
        line(
          `trained ${e.epochs} epochs in ${e.seconds.toFixed(1)} s, ${count(e.samplesPerSecond)} samples/s`,
        );
        line(`test accuracy ${percent(e.testAccuracy)}`);
        for (const row of confusionTable(e.confusion, classes)) line(row);
        line(`saved model to ${shown(e.model, cwd)}, run record to ${shown(e.run, cwd)}`);
        return;
    }
  };
}

/** One JSON object per line, for programs. */
export const jsonReporter =
  (line: (text: string) => void) =>
  (event: TrainEvent): void =>
    line(JSON.stringify(event));
