/**
 * A real Redis for the queue tests: the redis-server `pnpm test`'s preflight found or installed
 * (REDIS_SERVER; Debian's by apt-get as root on Debian or Ubuntu, as Chromium is), started on a
 * free loopback port with a password and no persistence, stopped by the test that started it.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { findRedis, REDIS_MISSING } from '../../../tooling/chromium/src/chromium.mjs';

/** The server's binary, or an error saying how to get one. */
function redisServer(): string {
  const path = findRedis();
  if (!path) throw new Error(REDIS_MISSING);
  return path;
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
