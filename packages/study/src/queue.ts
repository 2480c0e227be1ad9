/**
 * A study beyond one machine, on BullMQ over Redis: `enqueue` puts the runs that have no
 * record on a queue, each as a job whose id is the run's; `serve` takes runs on any number of
 * machines, runs each on the local pool of worker threads and stores its record in Redis
 * before the job counts as done. A worker killed mid-run loses nothing: its job's lock runs
 * out, BullMQ's stalled-job check puts it back on the queue, another worker runs it, and the
 * record is stored once (HSETNX by run id), whichever finishes first.
 */
import { ConfigError, TwoStepError } from '@twostep/core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { expand, type Run } from './grid.js';
import {
  createPool,
  type Progress,
  pendingRuns,
  progressClock,
  type StudySummary,
} from './pool.js';
import type { RunRecord } from './run.js';
import type { Spec } from './spec.js';
import type { RecordStore } from './store.js';

/** The queue's name under a study's prefix. */
const QUEUE = 'runs';

/** A study's keys in Redis: `twostep-study:<name>` unless given. */
export const defaultPrefix = (spec: Spec): string => `twostep-study:${spec.name}`;

/** Where a study lives in Redis: the server's URL (a password in it, if any) and the key prefix. */
export interface QueueOptions {
  /** `redis://[[user]:password@]host:port[/db]`. */
  readonly url: string;
  readonly prefix: string;
}

/** A connection BullMQ can use (its workers block, so no retry limit per request). */
export function connect(url: string): Redis {
  if (!/^rediss?:\/\//.test(url)) {
    throw new ConfigError(
      `--queue ${url} is not a Redis URL; write redis://host:port (redis://:password@host:port with a password).`,
    );
  }
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** The records of a study in Redis: one hash field per run id, set once. */
export class RedisStore implements RecordStore {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}:records`;
  }

  async records(): Promise<RunRecord[]> {
    const all = await this.#redis.hvals(this.#key);
    return all.map((text) => JSON.parse(text) as RunRecord);
  }

  async add(record: RunRecord): Promise<boolean> {
    return (await this.#redis.hsetnx(this.#key, record.id, JSON.stringify(record))) === 1;
  }

  /** The records of the runs in `ids`, those there are. */
  async some(ids: readonly string[]): Promise<RunRecord[]> {
    if (ids.length === 0) return [];
    const found = await this.#redis.hmget(this.#key, ...ids);
    return found.flatMap((text) => (text === null ? [] : [JSON.parse(text) as RunRecord]));
  }

  /** The run ids recorded. */
  ids(): Promise<string[]> {
    return this.#redis.hkeys(this.#key);
  }
}

/** Opens the study's Redis connection and store; the caller quits the connection. */
export async function openQueue(
  options: QueueOptions,
): Promise<{ redis: Redis; store: RedisStore }> {
  const redis = connect(options.url);
  // ioredis reports why a connection fails (WRONGPASS, ECONNREFUSED) as an event, then rejects
  // with "Connection is closed".
  let reason: Error | undefined;
  const onError = (error: Error) => {
    reason ??= error;
  };
  redis.on('error', onError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const why = (reason ?? (error as Error)).message.replace(/\.$/, '');
    throw new ConfigError(
      `cannot reach Redis at ${options.url.replace(/\/\/[^@]*@/, '//…@')}: ${why}. Start a server (redis-server --port 6379) or fix the URL.`,
    );
  } finally {
    redis.off('error', onError);
  }
  return { redis, store: new RedisStore(redis, options.prefix) };
}

/**
 * Puts every run of `spec` without a record on the study's queue (job id = run id, so a run
 * already queued is not queued again); returns how many were queued.
 */
export async function enqueue(spec: Spec, options: QueueOptions): Promise<number> {
  const { redis, store } = await openQueue(options);
  const queue = new Queue<Run>(QUEUE, { connection: redis, prefix: options.prefix });
  try {
    const pending = await pendingRuns(spec, store);
    await queue.addBulk(
      pending.map((run) => ({
        name: 'run',
        data: run,
        // A run that throws (not a divergence, which is a result) is tried twice more.
        opts: { jobId: run.id, attempts: 3, removeOnComplete: true, removeOnFail: false },
      })),
    );
    return pending.length;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export interface ServeOptions extends QueueOptions {
  /** Runs at a time, each on a worker thread (default: every core). */
  readonly workers?: number;
  /**
   * Seconds a run's lock lasts without renewal (default 30): a killed worker's run goes back
   * on the queue after about this long.
   */
  readonly lockSeconds?: number;
  /** Called as a run is taken, before it runs. */
  readonly onStart?: (run: Run) => void;
  readonly onRecord?: (record: RunRecord) => void;
  /** Stops taking runs; runs in flight go back on the queue when their lock runs out. */
  readonly signal?: AbortSignal;
}

/** Takes runs from the study's queue until `signal` aborts; each record goes to Redis first. */
export async function serve(options: ServeOptions): Promise<void> {
  const { redis, store } = await openQueue(options);
  const pool = createPool(options.workers);
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const worker = new Worker<Run, string>(
    QUEUE,
    async (job) => {
      options.onStart?.(job.data);
      const record = await pool.run(job.data);
      if (await store.add(record)) options.onRecord?.(record);
      return record.id;
    },
    {
      connection: redis,
      prefix: options.prefix,
      concurrency: pool.options.maxThreads,
      lockDuration,
      stalledInterval: lockDuration,
      // A run whose worker was killed is taken again, up to twice.
      maxStalledCount: 2,
    },
  );
  try {
    await new Promise<void>((done, fail) => {
      worker.on('error', fail);
      if (options.signal?.aborted) done();
      options.signal?.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    await worker.close(true);
    await pool.destroy();
    redis.disconnect();
  }
}

export interface FollowOptions extends QueueOptions {
  readonly onProgress?: (progress: Progress) => void;
  /** Stops following (the runs stay queued). */
  readonly signal?: AbortSignal;
  /** Milliseconds between looks at Redis (default 1,000). */
  readonly interval?: number;
}

/**
 * Follows a queued study until every run of `spec` has a record, reporting each as it comes;
 * a run that failed on every attempt is an error with its reason.
 */
export async function follow(spec: Spec, options: FollowOptions): Promise<StudySummary> {
  const { redis, store } = await openQueue(options);
  const queue = new Queue<Run>(QUEUE, { connection: redis, prefix: options.prefix });
  try {
    const runs = expand(spec).map((run) => run.id);
    const known = new Set(await store.ids());
    const skipped = runs.filter((id) => known.has(id)).length;
    const total = runs.length - skipped;
    const clock = progressClock(total, skipped);
    while (clock.done() < total) {
      options.signal?.throwIfAborted();
      const fresh = runs.filter((id) => !known.has(id));
      for (const record of await store.some(fresh)) {
        known.add(record.id);
        const progress = clock.next(record); // counts the run, reported or not
        options.onProgress?.(progress);
      }
      const failed = (await queue.getFailed()).filter((job) => !known.has(job.id ?? ''));
      if (failed.length > 0) {
        const [job] = failed;
        throw new TwoStepError(
          `run ${job!.id} failed on every attempt: ${job!.failedReason}. Its settings: ${JSON.stringify(job!.data.settings)}.`,
        );
      }
      if (clock.done() < total) {
        await new Promise((wake) => setTimeout(wake, options.interval ?? 1000));
      }
    }
    return { runs: runs.length, skipped, recorded: clock.done(), seconds: clock.seconds() };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
