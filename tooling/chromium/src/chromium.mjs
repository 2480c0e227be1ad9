// Finds the Chromium the browser tests drive (Playwright never downloads one), and installs
// Debian's when there is none and apt-get can. Plain JS: `pnpm test` runs it before anything
// is built, and vitest.browser.ts and test files import it. Types: chromium.d.mts.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Where Debian's `chromium` package puts the binary. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The flags every browser test starts Chromium with: as root (CI and the dev machines), on a
 * machine whose network reaches only package registries. WebGL2 still works, in software,
 * and so does WebGPU (SwiftShader's Vulkan), which headless Chromium exposes only with
 * `--enable-unsafe-webgpu` on Linux.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

/** Names looked up on PATH, in order, when neither CHROME_PATH nor DEBIAN_CHROMIUM is there. */
export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export const MISSING =
  'pnpm test needs Chromium for the browser tests: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH to a Chromium or Chrome binary.';

/** The commands that install Debian's package `name` (retried downloads, as .ci/run had). */
export const installCommands = (name) => [
  ['apt-get', ['-o', 'Acquire::Retries=3', 'update', '-qq']],
  ['apt-get', ['-o', 'Acquire::Retries=3', 'install', '-y', '-qq', name]],
];

/** Whether `path` is an executable file. */
export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A program: `env[variable]` if set (made absolute; throws when it is not an executable file),
 * else `debianPath`, else the first of `names` on PATH; undefined when none is.
 */
function findProgram(
  { variable, debianPath, names },
  { env = process.env, executable = isExecutable } = {},
) {
  if (env[variable]) {
    const path = resolve(env[variable]);
    if (!executable(path))
      throw new Error(`${variable}=${env[variable]} is not an executable file.`);
    return path;
  }
  if (executable(debianPath)) return debianPath;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

const CHROMIUM = {
  label: 'Chromium',
  variable: 'CHROME_PATH',
  debianPath: DEBIAN_CHROMIUM,
  debianPackage: 'chromium',
  names: PATH_NAMES,
  missing: MISSING,
};

/**
 * The Chromium binary: CHROME_PATH if set (made absolute; throws when it is not an executable
 * file), else DEBIAN_CHROMIUM, else the first of PATH_NAMES on PATH; undefined when none is.
 */
export const findChromium = (options) => findProgram(CHROMIUM, options);

/** The Chromium for a test that launches one: findChromium's, or an Error saying what to install. */
export function chromiumPath(options) {
  const path = findChromium(options);
  if (!path) throw new Error(MISSING);
  return path;
}

/** The fields of an os-release file (`KEY=value` lines, values optionally quoted). */
export function parseOsRelease(text) {
  const fields = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(["']?)(.*)\2\s*$/.exec(line.trim());
    if (m) fields[m[1]] = m[3];
  }
  return fields;
}

function readOsRelease() {
  try {
    return parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return {};
  }
}

/** Whether apt-get can install Debian's chromium here: root on Debian, Ubuntu or a derivative. */
export function canInstall({ uid = process.getuid?.(), osRelease = readOsRelease() } = {}) {
  if (uid !== 0) return false;
  const ids = [osRelease.ID, ...(osRelease.ID_LIKE ?? '').split(/\s+/)];
  return ids.includes('debian') || ids.includes('ubuntu');
}

function runQuietly(command, args) {
  execFileSync(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * A program for `pnpm test`: found as `findProgram` finds it, else Debian's package installed
 * with `installCommands` through `run` when canInstall. Throws an Error with a one-line message
 * when there is none.
 */
function ensureProgram(
  program,
  { env, executable = isExecutable, uid, osRelease, run = runQuietly, log = console.error } = {},
) {
  const found = findProgram(program, { env, executable });
  if (found) return found;
  const { label, debianPackage, debianPath, missing } = program;
  if (!canInstall({ uid, osRelease })) throw new Error(missing);
  log(
    `No ${label} found: installing Debian's ${debianPackage} (apt-get install -y ${debianPackage}).`,
  );
  for (const [command, args] of installCommands(debianPackage)) {
    try {
      run(command, args);
    } catch (e) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${e.message.split('\n')[0]}). ${missing}`,
      );
    }
  }
  if (!executable(debianPath)) throw new Error(`apt-get installed no ${debianPath}. ${missing}`);
  return debianPath;
}

/**
 * The Chromium for `pnpm test`: findChromium's, else Debian's, installed with
 * `installCommands('chromium')` through `run` when canInstall. Throws an Error with a one-line
 * message when there is none.
 */
export const ensureChromium = (options) => ensureProgram(CHROMIUM, options);

/** Where Debian's `redis-server` package puts the server. */
export const DEBIAN_REDIS = '/usr/bin/redis-server';

export const REDIS_MISSING =
  "pnpm test needs redis-server for the study's queue tests: install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_SERVER to a redis-server binary.";

const REDIS = {
  label: 'redis-server',
  variable: 'REDIS_SERVER',
  debianPath: DEBIAN_REDIS,
  debianPackage: 'redis-server',
  names: ['redis-server'],
  missing: REDIS_MISSING,
};

/** redis-server: REDIS_SERVER if set, else Debian's, else on PATH; undefined when none is. */
export const findRedis = (options) => findProgram(REDIS, options);

/** The redis-server for `pnpm test`: findRedis's, else Debian's installed, as ensureChromium. */
export const ensureRedis = (options) => ensureProgram(REDIS, options);
