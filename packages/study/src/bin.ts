#!/usr/bin/env node
/** The `twostep-study` command: `main` with the process's arguments; Ctrl-C or SIGTERM stops it. */
import { main } from './cli.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());
process.exitCode = await main(process.argv.slice(2), undefined, controller.signal);
