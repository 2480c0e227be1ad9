/**
 * A real Redis for the queue tests: Debian's `redis-server` (installed as Chromium is, by apt-get
 * as root on Debian or Ubuntu, when it is missing), started on a free loopback port with a
 * password and no persistence, stopped by the test that started it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { canInstall, isExecutable } from '../../../tooling/chromium/src/chromium.mjs';

const DEBIAN = '/usr/bin/redis-server';
const MISSING =
  'the queue tests need redis-server: install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_SERVER to its path.';

/** redis-server: REDIS_SERVER, Debian's, or on PATH; else Debian's installed, when apt-get can. */
export function redisServer(): string {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'redis-server'))
    .find(isExecutable);
  const found = isExecutable(DEBIAN) ? DEBIAN : onPath;
  if (found) return found;
  if (!canInstall()) throw new Error(MISSING);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'redis-server'],
  ]) {
    execFileSync('apt-get', ['-o', 'Acquire::Retries=3', ...args], { stdio: 'ignore', env });
  }
  if (!isExecutable(DEBIAN)) throw new Error(`apt-get installed no ${DEBIAN}. ${MISSING}`);
  return DEBIAN;
}

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface RunningRedis {
  /** redis://:password@127.0.0.1:port */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port with `password`; resolves once it answers. */
export async function startRedis(password: string): Promise<RunningRedis> {
  const port = await freePort();
  const server = spawn(
    redisServer(),
    ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password].concat([
      '--save',
      '',
      '--appendonly',
      'no',
    ]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const started = new Promise<void>((ready, fail) => {
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) ready();
    });
    server.once('exit', (code) => fail(new Error(`redis-server exited (${code}): ${output}`)));
  });
  await started;
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        if (server.exitCode !== null) return done();
        server.once('exit', () => done());
        server.kill('SIGTERM');
      }),
  };
}
