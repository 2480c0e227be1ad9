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

/** The commands that install Debian's `chromium` (retried downloads, as .ci/run had). */
export const INSTALL_COMMANDS = [
  ['apt-get', ['-o', 'Acquire::Retries=3', 'update', '-qq']],
  ['apt-get', ['-o', 'Acquire::Retries=3', 'install', '-y', '-qq', 'chromium']],
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
 * The Chromium binary: CHROME_PATH if set (made absolute; throws when it is not an executable
 * file), else DEBIAN_CHROMIUM, else the first of PATH_NAMES on PATH; undefined when none is.
 */
export function findChromium({ env = process.env, executable = isExecutable } = {}) {
  if (env.CHROME_PATH) {
    const path = resolve(env.CHROME_PATH);
    if (!executable(path))
      throw new Error(`CHROME_PATH=${env.CHROME_PATH} is not an executable file.`);
    return path;
  }
  if (executable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of PATH_NAMES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

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
 * The Chromium for `pnpm test`: findChromium's, else Debian's, installed with INSTALL_COMMANDS
 * through `run` when canInstall. Throws an Error with a one-line message when there is none.
 */
export function ensureChromium({
  env,
  executable = isExecutable,
  uid,
  osRelease,
  run = runQuietly,
  log = console.error,
} = {}) {
  const found = findChromium({ env, executable });
  if (found) return found;
  if (!canInstall({ uid, osRelease })) throw new Error(MISSING);
  log("No Chromium found: installing Debian's chromium (apt-get install -y chromium).");
  for (const [command, args] of INSTALL_COMMANDS) {
    try {
      run(command, args);
    } catch (e) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${e.message.split('\n')[0]}). ${MISSING}`,
      );
    }
  }
  if (!executable(DEBIAN_CHROMIUM))
    throw new Error(`apt-get installed no ${DEBIAN_CHROMIUM}. ${MISSING}`);
  return DEBIAN_CHROMIUM;
}
