#!/usr/bin/env node
// `pnpm test`'s first step: `node preflight.mjs <command…>` finds Chromium and redis-server (or
// installs Debian's, as root on Debian/Ubuntu), then runs the command with CHROME_PATH and
// REDIS_SERVER set to them. Without a command it prints the paths. Stops with one line, before
// any test, when either is missing.
import { spawnSync } from 'node:child_process';
import { ensureChromium, ensureRedis } from './chromium.mjs';

let path;
let redis;
try {
  path = ensureChromium();
  redis = ensureRedis();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.log(path);
  console.log(redis);
  process.exit(0);
}
const child = spawnSync(command, args, {
  stdio: 'inherit',
  env: { ...process.env, CHROME_PATH: path, REDIS_SERVER: redis },
});
if (child.error) console.error(`${command}: ${child.error.message}`);
process.exit(child.status ?? 1);
