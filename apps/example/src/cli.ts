#!/usr/bin/env node
/**
 * The `twostep` bin: see `main`. Ctrl-C stops training at the next batch: the model is not
 * written, and the last checkpoint (with --checkpoint-every) stays for --resume.
 */
import { TwoStepError } from '@twostep/core';
import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () =>
  controller.abort(new TwoStepError('interrupted; the model was not written.')),
);
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
  ...(process.stdout.isTTY && {
    terminal: {
      write: (text: string) => process.stdout.write(text),
      get columns() {
        return process.stdout.columns ?? 80;
      },
    },
  }),
  signal: controller.signal,
});
