/**
 * `twostep report`: one self-contained HTML page about a training run, drawn from its run
 * record (`models/mnist.run.json`, see record.ts): the headline numbers, the loss and accuracy
 * curves, the confusion matrix, the misclassified digits and the config. Inline CSS and inline
 * SVG only: no scripts, fonts, images or style sheets to fetch, so the file opens anywhere.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { TwoStepError } from '@twostep/core';
import { writeFileAtomic } from '@twostep/io';
import { DEFAULT_CONFIG } from './config.js';
import { shownPath } from './files.js';
import { commandFlags } from './flags.js';
import type { Io } from './io.js';
import { besideModel } from './model.js';
import { readRunRecord } from './record.js';
import { renderReport } from './report-html.js';

export const REPORT_USAGE = `Usage: twostep report [--run <file>] [--out <file>]

Writes one self-contained HTML page about a training run.

Options:
  --run <file>   the run record 'twostep train' wrote next to its model
                 (default: models/mnist.run.json, beside the default model models/mnist.json)
  --out <file>   the HTML file to write (default: the run record's name with .report.html,
                 e.g. models/mnist.report.html)
  -h, --help     show this help`;

/** `models/mnist.run.json` → `models/mnist.report.html` (any other `x.json` → `x.report.html`). */
export const reportPathFor = (run: string): string =>
  join(dirname(run), `${basename(run).replace(/(\.run)?\.json$/, '')}.report.html`);

/** Runs `twostep report …args`: reads the run record and writes the HTML page atomically. */
export async function runReport(args: readonly string[], io: Io): Promise<void> {
  const options = { run: { type: 'string' }, out: { type: 'string' } } as const;
  const flags = commandFlags('report', args, options, REPORT_USAGE, io);
  if (!flags) return;
  const run =
    flags.run === undefined
      ? besideModel(resolve(io.cwd, DEFAULT_CONFIG.model), 'run')
      : resolve(io.cwd, flags.run);
  const out = flags.out === undefined ? reportPathFor(run) : resolve(io.cwd, flags.out);
  const html = renderReport(await readRunRecord(run));
  try {
    await writeFileAtomic(out, html);
  } catch (error) {
    throw new TwoStepError(`report: cannot write ${out}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  io.stdout(`wrote ${shownPath(io.cwd, out)}`);
}
