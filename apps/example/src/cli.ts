#!/usr/bin/env node
/** The `twostep` bin: see `main`. Ctrl-C stops training at the next batch; nothing is saved. */
import { TwoStepError } from '@twostep/core';
import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () =>
  controller.abort(new TwoStepError('interrupted; the model was not saved.')),
);
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
  signal: controller.signal,
});
