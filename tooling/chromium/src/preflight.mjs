#!/usr/bin/env node
// `pnpm test`'s first step: `node preflight.mjs <command…>` finds Chromium (or installs Debian's,
// as root on Debian/Ubuntu), then runs the command with CHROME_PATH set to it. Without a
// command it prints the path. Stops with one line, before any test, when there is no Chromium.
import { spawnSync } from 'node:child_process';
import { ensureChromium } from './chromium.mjs';

let path;
try {
  path = ensureChromium();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.log(path);
  process.exit(0);
}
const child = spawnSync(command, args, {
  stdio: 'inherit',
  env: { ...process.env, CHROME_PATH: path },
});
if (child.error) console.error(`${command}: ${child.error.message}`);
process.exit(child.status ?? 1);
