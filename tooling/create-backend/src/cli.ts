#!/usr/bin/env node
/** Entry point of `pnpm create-backend <name>`. */
import { run } from './main.js';

process.exitCode = run(process.argv.slice(2));
