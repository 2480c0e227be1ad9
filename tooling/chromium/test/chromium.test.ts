import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canInstall,
  chromiumPath,
  DEBIAN_CHROMIUM,
  DEBIAN_REDIS,
  ensureChromium,
  ensureRedis,
  findChromium,
  findRedis,
  installCommands,
  isExecutable,
  MISSING,
  parseOsRelease,
  REDIS_MISSING,
} from '../src/chromium.mjs';

const PREFLIGHT = join(import.meta.dirname, '..', 'src', 'preflight.mjs');
const DEBIAN = { ID: 'debian' };
const SCRATCH = mkdtempSync(join(tmpdir(), 'twostep-chromium-'));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** An `executable` check that sees only `paths`. */
const only =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

/** A scratch directory holding an executable script per name, and a plain file `plain`. */
function binDir(...names: string[]): string {
  const dir = mkdtempSync(join(SCRATCH, 'bin-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
  writeFileSync(join(dir, 'plain'), '');
  return dir;
}

describe('findChromium', () => {
  it('takes CHROME_PATH when it is an executable file, made absolute', () => {
    const dir = binDir('chrome');
    expect(findChromium({ env: { CHROME_PATH: join(dir, 'chrome') } })).toBe(join(dir, 'chrome'));
    expect(findChromium({ env: { CHROME_PATH: 'bin/chrome' }, executable: () => true })).toBe(
      join(process.cwd(), 'bin', 'chrome'),
    );
  });

  it('refuses a CHROME_PATH that is missing or not executable, whatever else is there', () => {
    const dir = binDir('chromium');
    for (const bad of [join(dir, 'missing'), join(dir, 'plain'), dir]) {
      expect(() => findChromium({ env: { CHROME_PATH: bad, PATH: dir } })).toThrow(
        `CHROME_PATH=${bad} is not an executable file.`,
      );
    }
  });

  it('takes /usr/bin/chromium before PATH', () => {
    const env = { PATH: '/opt/bin' };
    expect(findChromium({ env, executable: only(DEBIAN_CHROMIUM, '/opt/bin/chromium') })).toBe(
      DEBIAN_CHROMIUM,
    );
  });

  it('then looks up chromium, chromium-browser, google-chrome, google-chrome-stable on PATH', () => {
    const env = { PATH: '/a:/b::/c' };
    const find = (...paths: string[]) => findChromium({ env, executable: only(...paths) });
    expect(find('/c/google-chrome', '/b/chromium')).toBe('/b/chromium'); // names first, then dirs
    expect(find('/c/chromium', '/a/chromium')).toBe('/a/chromium');
    expect(find('/a/google-chrome-stable', '/c/chromium-browser')).toBe('/c/chromium-browser');
    expect(find('/a/google-chrome-stable', '/b/google-chrome')).toBe('/b/google-chrome');
    expect(find('/a/google-chrome-stable')).toBe('/a/google-chrome-stable');
    expect(find('/a/chrome', '/usr/bin/google-chrome')).toBeUndefined();
  });

  it('finds a real executable on PATH, and none where there is none', () => {
    const dir = binDir('chromium-browser');
    // Hides this machine's own Chromium.
    const executable = (path: string) => path !== DEBIAN_CHROMIUM && isExecutable(path);
    expect(findChromium({ env: { PATH: dir }, executable })).toBe(join(dir, 'chromium-browser'));
    expect(findChromium({ env: { PATH: binDir() }, executable })).toBeUndefined();
    expect(findChromium({ env: {}, executable })).toBeUndefined();
  });
});

describe('chromiumPath', () => {
  it('is the path found, or an error that says what to install', () => {
    expect(chromiumPath({ env: { PATH: '/a' }, executable: only('/a/chromium') })).toBe(
      '/a/chromium',
    );
    expect(() => chromiumPath({ env: { PATH: '/a' }, executable: only() })).toThrow(MISSING);
    expect(MISSING).not.toContain('\n');
  });
});

describe('canInstall', () => {
  it('reads os-release fields, quoted or not', () => {
    expect(
      parseOsRelease(
        'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n# x\n\nVERSION_ID=\'22\'',
      ),
    ).toEqual({ NAME: 'Linux Mint', ID: 'linuxmint', ID_LIKE: 'ubuntu debian', VERSION_ID: '22' });
  });

  it('is true for root on Debian, Ubuntu or a derivative only', () => {
    expect(canInstall({ uid: 0, osRelease: DEBIAN })).toBe(true);
    expect(canInstall({ uid: 0, osRelease: { ID: 'ubuntu', ID_LIKE: 'debian' } })).toBe(true);
    expect(canInstall({ uid: 0, osRelease: { ID: 'linuxmint', ID_LIKE: 'ubuntu debian' } })).toBe(
      true,
    );
    expect(canInstall({ uid: 1000, osRelease: DEBIAN })).toBe(false);
    expect(canInstall({ uid: 0, osRelease: { ID: 'fedora' } })).toBe(false);
    expect(canInstall({ uid: 0, osRelease: { ID: 'alpine', ID_LIKE: '' } })).toBe(false);
    expect(canInstall({ uid: 0, osRelease: {} })).toBe(false);
  });
});

describe('ensureChromium', () => {
  /** A machine with Chromium at `found` (if any) where `run` records commands. */
  function machine(
    found: string[],
    uid: number,
    osRelease: Record<string, string>,
    installs = DEBIAN_CHROMIUM,
  ) {
    const installed = new Set(found);
    const commands: string[] = [];
    const log: string[] = [];
    const options = {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      executable: (path: string) => installed.has(path),
      uid,
      osRelease,
      run: (command: string, args: readonly string[]) => {
        commands.push([command, ...args].join(' '));
        if (args.includes('install')) installed.add(installs);
      },
      log: (line: string) => log.push(line),
    };
    return { options, commands, log, installed };
  }

  it('installs nothing when Chromium is there', () => {
    const m = machine(['/usr/bin/google-chrome'], 0, DEBIAN);
    expect(ensureChromium(m.options)).toBe('/usr/bin/google-chrome');
    expect(m.commands).toEqual([]);
  });

  it("installs Debian's chromium with apt-get as root on Debian, then uses /usr/bin/chromium", () => {
    const m = machine([], 0, DEBIAN);
    expect(ensureChromium(m.options)).toBe(DEBIAN_CHROMIUM);
    expect(m.commands).toEqual([
      'apt-get -o Acquire::Retries=3 update -qq',
      'apt-get -o Acquire::Retries=3 install -y -qq chromium',
    ]);
    expect(installCommands('chromium').map(([c, a]) => [c, ...a].join(' '))).toEqual(m.commands);
    expect(m.log).toEqual([
      "No Chromium found: installing Debian's chromium (apt-get install -y chromium).",
    ]);
  });

  it('says what to install, running nothing, when not root or not on Debian/Ubuntu', () => {
    for (const m of [machine([], 1000, DEBIAN), machine([], 0, { ID: 'arch' })]) {
      expect(() => ensureChromium(m.options)).toThrow(MISSING);
      expect(m.commands).toEqual([]);
    }
  });

  it('fails in one line when apt-get fails or installs no /usr/bin/chromium', () => {
    const failing = machine([], 0, DEBIAN);
    failing.options.run = (_command, args) => {
      if (args.includes('update')) throw new Error('Command failed: apt-get update\nE: no network');
    };
    expect(() => ensureChromium(failing.options)).toThrow(
      `apt-get -o Acquire::Retries=3 update -qq failed (Command failed: apt-get update). ${MISSING}`,
    );
    const empty = machine([], 0, DEBIAN);
    empty.options.run = () => {};
    expect(() => ensureChromium(empty.options)).toThrow(
      `apt-get installed no /usr/bin/chromium. ${MISSING}`,
    );
  });

  it('refuses a bad CHROME_PATH rather than installing', () => {
    const m = machine([], 0, DEBIAN);
    m.options.env = { ...m.options.env, CHROME_PATH: '/nowhere/chrome' } as typeof m.options.env;
    expect(() => ensureChromium(m.options)).toThrow('CHROME_PATH=/nowhere/chrome is not');
    expect(m.commands).toEqual([]);
  });

  it("finds and installs redis-server the same way (REDIS_SERVER, Debian's, PATH)", () => {
    const dir = binDir('redis-server');
    expect(findRedis({ env: { REDIS_SERVER: join(dir, 'redis-server') } })).toBe(
      join(dir, 'redis-server'),
    );
    expect(
      findRedis({ env: { PATH: dir }, executable: (p) => p !== DEBIAN_REDIS && isExecutable(p) }),
    ).toBe(join(dir, 'redis-server'));
    const m = machine([], 0, DEBIAN, DEBIAN_REDIS);
    expect(ensureRedis(m.options)).toBe(DEBIAN_REDIS);
    expect(m.commands).toEqual(
      installCommands('redis-server').map(([c, a]) => [c, ...a].join(' ')),
    );
    expect(m.commands.at(-1)).toBe('apt-get -o Acquire::Retries=3 install -y -qq redis-server');
    expect(m.log).toEqual([
      "No redis-server found: installing Debian's redis-server (apt-get install -y redis-server).",
    ]);
    expect(() => ensureRedis(machine([], 1000, DEBIAN).options)).toThrow(REDIS_MISSING);
  });
});

describe('preflight.mjs', () => {
  /** A stand-in redis-server, so that the preflight installs nothing. */
  const redis = join(binDir('redis-server'), 'redis-server');
  const preflight = (env: Record<string, string>, ...command: string[]) =>
    spawnSync(process.execPath, [PREFLIGHT, ...command], {
      env: { ...process.env, REDIS_SERVER: redis, ...env },
      encoding: 'utf8',
    });

  it('runs the command with CHROME_PATH and REDIS_SERVER set to those found, and its exit status', () => {
    const chrome = join(binDir('chrome'), 'chrome');
    const r = preflight(
      { CHROME_PATH: chrome },
      process.execPath,
      '-e',
      'console.log(process.env.CHROME_PATH, process.env.REDIS_SERVER); process.exit(3)',
    );
    expect(r.stdout).toBe(`${chrome} ${redis}\n`);
    expect(r.status).toBe(3);
    expect(
      execFileSync(process.execPath, [PREFLIGHT], {
        env: { ...process.env, CHROME_PATH: chrome, REDIS_SERVER: redis },
        encoding: 'utf8',
      }),
    ).toBe(`${chrome}\n${redis}\n`);
  });

  it('stops with one line, running nothing, when CHROME_PATH is bad', () => {
    const r = preflight(
      { CHROME_PATH: '/nowhere/chrome' },
      process.execPath,
      '-e',
      'console.log("ran")',
    );
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('CHROME_PATH=/nowhere/chrome is not an executable file.\n');
    expect(r.status).toBe(1);
  });
});
