/**
 * A study through BullMQ on a real Redis: two worker processes, one killed (SIGKILL) while it
 * runs, give exactly the records the local pool gives, each run recorded once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { expand } from '../src/grid.js';
import { runStudy } from '../src/pool.js';
import { openQueue } from '../src/queue.js';
import type { RunRecord } from '../src/run.js';
import { parseSpec } from '../src/spec.js';
import { FileStore } from '../src/store.js';
import { type RunningRedis, startRedis } from './redis.js';
import { session, specFile } from './session.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const SPEC = {
  name: 'queued',
  datasets: [{ name: 'moons', size: 400 }],
  hidden: [[16]],
  rules: ['twoStep', 'classic'],
  learningRates: [0.2],
  epochs: 40,
  seeds: 3,
};
const spec = parseSpec(SPEC);
const results = (records: RunRecord[]) =>
  records.map(({ seconds: _, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis('s3cret');
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * A `twostep-study worker` process, its stdout lines collected; `onStart` is called with the
 * id of each run as the worker takes it.
 */
function workerProcess(prefix: string, onStart?: (id: string) => void) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'worker', '--queue', redis.url, '--prefix', prefix, '--workers', '1'].concat([
      // Short, so that the killed worker's run is taken again within seconds; long enough that a
      // busy machine still renews the lock of a run in progress (every half of it).
      '--lock-seconds',
      '5',
      '--json',
    ]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    const event = JSON.parse(line) as { event: string; id?: string };
    if (event.event === 'started') onStart?.(event.id!);
  });
  const exited = new Promise<NodeJS.Signals | number | null>((done) =>
    child.once('exit', (code, signal) => done(signal ?? code)),
  );
  return { child, lines, exited };
}

const until = async (test: () => boolean, what: string, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
};

describe('a study on a BullMQ queue in Redis', () => {
  it('gives the local pool records with a worker killed mid-run, each run once', async () => {
    const prefix = 'twostep-study-test:kill';
    const local = new FileStore(join(mkdtempSync(join(tmpdir(), 'twostep-queue-')), 'local.jsonl'));
    await runStudy(spec, { store: local, workers: 2 });

    const specPath = specFile(SPEC);
    const { io, out, err } = session();
    const studied = main(['run', specPath, '--queue', redis.url, '--prefix', prefix, '--json'], io);

    // QueueEvents reads with a duplicate of this connection and closes only that one.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const events = new QueueEvents('runs', { connection, prefix });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();

    // a is killed the moment it says it has taken a run, so it dies holding that run.
    let killed: string | undefined;
    const a = workerProcess(prefix, (id) => {
      killed ??= id;
      a.child.kill('SIGKILL');
    });
    const b = workerProcess(prefix);
    expect(await a.exited).toBe('SIGKILL');

    expect(await studied).toBe(0);
    expect(err).toEqual([]);
    await until(() => stalled.length >= 1, 'the stalled run to be taken again');
    expect(stalled).toContain(killed);
    expect(b.lines.map((l) => JSON.parse(l))).toContainEqual({ event: 'recorded', id: killed });
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    await events.close();
    connection.disconnect();

    const events_ = out.map((l) => JSON.parse(l) as { event: string });
    expect(events_[0]).toEqual({ event: 'queued', runs: 6, prefix });
    expect(events_.at(-1)).toMatchObject({ event: 'done', runs: 6, skipped: 0, recorded: 6 });
    const { redis: client, store } = await openQueue({ url: redis.url, prefix });
    try {
      expect(await store.ids()).toHaveLength(6);
      expect(results(await store.records())).toEqual(results(await local.records()));
      // Every key is the study's.
      expect((await client.keys('*')).every((key) => key.startsWith(`${prefix}:`))).toBe(true);
    } finally {
      client.disconnect();
    }
  }, 240_000);

  it('queues nothing a second time, and refuses a wrong password without showing it', async () => {
    const prefix = 'twostep-study-test:again';
    const { redis: client, store } = await openQueue({ url: redis.url, prefix });
    try {
      // One run, recorded in Redis by the local pool: the queue then has nothing to do.
      const one = { ...SPEC, seeds: [1], rules: ['twoStep'] };
      await runStudy(parseSpec(one), { store, workers: 1 });
      expect(await store.ids()).toEqual(expand(parseSpec(one)).map((run) => run.id));
      const specPath = specFile(one);
      const { io, out, err } = session();
      expect(
        await main(['run', specPath, '--queue', redis.url, '--prefix', prefix, '--json'], io),
      ).toBe(0);
      expect(err).toEqual([]);
      expect(out.map((l) => JSON.parse(l))).toEqual([
        { event: 'queued', runs: 0, prefix },
        expect.objectContaining({ event: 'done', runs: 1, skipped: 1, recorded: 0 }),
      ]);
    } finally {
      client.disconnect();
    }
    const wrong = redis.url.replace('s3cret', 'wrong');
    await expect(openQueue({ url: wrong, prefix })).rejects.toThrow(
      /^cannot reach Redis at redis:\/\/…@127\.0\.0\.1:\d+: WRONGPASS/,
    );
    await expect(openQueue({ url: 'http://localhost:6379', prefix })).rejects.toThrow(
      '--queue http://localhost:6379 is not a Redis URL; write redis://host:port (redis://:password@host:port with a password).',
    );
  }, 120_000);
});
