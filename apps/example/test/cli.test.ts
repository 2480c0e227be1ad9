import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineBackends, Network, serialize } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-line.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { splitDigits } from '../src/data.js';
import { failure, run, TS_DEFAULT, tempDir } from './helpers.js';

/** A quick training run: a narrow network, one epoch. */
const QUICK = ['--architecture', 'A[784,16,10]', '--epochs', '1'];

describe('twostep train', () => {
  it('reports each epoch, the test accuracy and the confusion matrix, and saves the model', async () => {
    const { code, stdout, stderr, cwd } = await run(['train', ...QUICK, '--epochs', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout[0]).toBe(
      'training A[784,16,10] (relu) on 8,000 MNIST digits, 2,000 held out for testing',
    );
    expect(stdout.filter((l) => l.startsWith('epoch '))).toHaveLength(2);
    expect(stdout).toContainEqual(expect.stringMatching(/^test accuracy \d+\.\d\d%$/));
    const table = stdout.indexOf('true ↓  predicted →');
    expect(stdout.slice(table + 2, table + 12).map((l) => l.trim()[0])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(stdout.at(-1)).toBe(
      'saved model to models/mnist.json, run record to models/mnist.run.json',
    );
    expect((await readdir(join(cwd, 'models'))).sort()).toEqual(['mnist.json', 'mnist.run.json']);
  });

  it('--json prints one event per line', async () => {
    // Small batches make the epoch last long enough for batch events (every 200 ms).
    const { code, stdout } = await run([...QUICK, '--json', '--batch-size', '2']);
    expect(code).toBe(0);
    const events = stdout.map(
      (line) => JSON.parse(line) as { type: string; samplesPerSecond?: number; eta?: number },
    );
    expect(events[0]).toMatchObject({ type: 'start', backend: 'ts', architecture: 'A[784,16,10]' });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'done', epochs: 1 });
    const batches = events.filter((e) => e.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const e of batches) {
      expect(e.samplesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(e.eta)).toBe(true);
    }
  });

  it('draws a progress bar on a terminal, and clears it for each epoch line', async () => {
    const drawn: string[] = [];
    const terminal = { write: (text: string) => drawn.push(text), columns: 100 };
    // Small batches make the epoch last long enough for the bar to be drawn (every 200 ms).
    const { code, stdout } = await run([...QUICK, '--batch-size', '1'], { terminal });
    expect(code).toBe(0);
    const bars = drawn.filter((t) => t.startsWith('\repoch 1 ['));
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.at(-1)).toMatch(/\] +\d+% {2}[\d,]+ samples\/s {2}ETA \d+:\d\d$/);
    expect(drawn.at(-1)).toBe('\r\x1b[2K');
    expect(stdout.some((l) => l.includes('\r'))).toBe(false);
  });

  it.each(['tfjs-cpu', 'tfjs-wasm'])('trains on %s with the same flags', async (backend) => {
    const { code, stdout, stderr } = await run(['--backend', backend, ...QUICK]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout[1]).toMatch(new RegExp(`^backend ${backend} \\(float32\\)`));
  });

  it('says that tfjs-webgl needs a browser', async () => {
    const { code, stderr } = await run(['--backend', 'tfjs-webgl']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: Backend 'tfjs-webgl' cannot run here: WebGL needs a browser page or worker (TensorFlow.js registers its WebGL backend only there): in Node, use tfjs-cpu or tfjs-wasm.",
    );
  });
});

describe('twostep evaluate and predict', () => {
  it('evaluate gives the accuracy and confusion matrix of the saved model', async () => {
    const { cwd } = await run(QUICK);
    const text = await run(['evaluate'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout[0]).toBe(
      `${join(cwd, 'models', 'mnist.json')} on 2000 test digits (${TS_DEFAULT})`,
    );
    const json = await run(['evaluate', '--json'], { cwd });
    const { accuracy, confusion } = JSON.parse(json.stdout[0]!) as {
      accuracy: number;
      confusion: number[][];
    };
    expect(text.stdout[1]).toBe(`test accuracy ${(100 * accuracy).toFixed(2)}%`);
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(2000);
  });

  it('predict classifies test digits by index and images from a file', async () => {
    const { cwd } = await run(QUICK);
    const { test } = splitDigits(DEFAULT_CONFIG);
    const byIndex = await run(['predict', '--index', '0,7', '--json'], { cwd });
    expect(byIndex.code).toBe(0);
    const answers = byIndex.stdout.map(
      (l) => JSON.parse(l) as { predicted: number; label: number; scores: number[] },
    );
    expect(answers.map((a) => a.label)).toEqual([test.labels[0], test.labels[7]]);
    expect(
      answers.every(
        (a) => a.scores.length === 10 && a.predicted === a.scores.indexOf(Math.max(...a.scores)),
      ),
    ).toBe(true);
    await writeFile(join(cwd, 'mine.json'), JSON.stringify(Array.from(test.inputs[7]!)));
    const fromFile = await run(['predict', '--input', 'mine.json', '--json'], { cwd });
    expect(JSON.parse(fromFile.stdout[0]!)).toMatchObject({
      predicted: answers[1]!.predicted,
      label: null,
    });
    const drawn = await run(['predict', '--index', '0'], { cwd });
    expect(drawn.stdout.filter((l) => l.includes('██')).length).toBeGreaterThan(5);
    expect(drawn.stdout.at(-1)).toMatch(new RegExp(`^predicted \\d \\(true ${test.labels[0]}`));
  });

  it('bad use says what to do', async () => {
    const { cwd } = await run(QUICK);
    expect((await run(['predict'], { cwd })).stderr).toBe(
      'error: predict: give --index <i,j,…> (test digits) or --input <file.json> (your images), one of them.',
    );
    expect((await run(['predict', '--index', '2000'], { cwd })).stderr).toBe(
      'error: predict: --index "2000" is not a test digit; use 0 … 1999.',
    );
    await writeFile(join(cwd, 'short.json'), '[0.5, 0.5]');
    expect((await run(['predict', '--input', 'short.json'], { cwd })).stderr).toContain(
      'image 0 has 2 numbers; an image is 784 numbers in [0, 1]',
    );
    expect((await run(['evaluate', '--model', 'nope.json'], { cwd })).stderr).toBe(
      `error: evaluate: cannot read the model ${join(cwd, 'nope.json')} (ENOENT); train one first, or pass --model <file>.`,
    );
    expect((await run(['evaluate', '--limit', '3'], { cwd })).stderr).toContain(
      "error: evaluate: Unknown option '--limit'",
    );
  });
});

describe('twostep', () => {
  it('backends lists each backend and whether it can run here', async () => {
    const { code, stdout } = await run(['backends']);
    expect(code).toBe(0);
    expect(stdout).toEqual([
      'ts          usable (float32, float64)',
      'tfjs-cpu    usable (float32)',
      "tfjs-webgl  unavailable: Backend 'tfjs-webgl' cannot run here: WebGL needs a browser page or worker (TensorFlow.js registers its WebGL backend only there): in Node, use tfjs-cpu or tfjs-wasm.",
      'tfjs-wasm   usable (float32)',
    ]);
  });

  it('prints the usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout.join('\n')).toContain('Usage: twostep [command] [options]');
  });

  it('prints each command’s usage for twostep <command> --help, as the usage promises', async () => {
    for (const command of COMMANDS.filter((c) => c !== 'help')) {
      for (const flag of ['--help', '-h']) {
        const { code, stdout, stderr } = await run([command, flag]);
        expect([code, stderr], `${command} ${flag}`).toEqual([0, '']);
        const first = stdout[0]!.split('\n')[0];
        expect(first, `${command} ${flag}`).toMatch(
          command === 'train'
            ? /^Usage: twostep \[command\]/
            : new RegExp(`^Usage: twostep ${command}\\b`),
        );
      }
    }
  });

  it('a network over the limits says how to raise them here: the config key, or the train flag', async () => {
    const dir = await tempDir();
    const args = ['--architecture', 'A[784,64,10]', '--epochs', '1', '--model', 'm.json'];
    expect(await failure([...args, '--max-parameters', '1000'], dir)).toBe(
      'error: A[784,64,10] has 50,890 parameters, over the limit of 1,000 (maxParameters). Check the widths, or raise the limit: "maxParameters": 50890 in twostep.config.json (train also takes --max-parameters 50890).',
    );
    await writeFile(join(dir, 'twostep.config.json'), JSON.stringify({ maxParameters: 1000 }));
    expect(await failure(args, dir)).toContain('over the limit of 1,000 (maxParameters)');
    await writeFile(join(dir, 'twostep.config.json'), JSON.stringify({ maxEntries: 100 }));
    expect(await failure(args, dir)).toBe(
      'error: A[784,64,10]: W1 has 50,240 entries, over the limit of 100 (maxEntries). Check the widths, or raise the limit: "maxEntries": 50240 in twostep.config.json (train also takes --max-entries 50240).',
    );
    // evaluate reads the model under the config's limits too.
    await writeFile(
      join(dir, 'm.json'),
      serialize(Network.create({ architecture: 'A[784,8,10]' })),
    );
    await writeFile(join(dir, 'twostep.config.json'), JSON.stringify({ maxParameters: 100 }));
    expect(await failure(['evaluate', '--model', 'm.json'], dir)).toContain(
      'has 6,370 parameters, over the limit of 100 (maxParameters). Check the widths, or raise the limit: "maxParameters": 6370 in twostep.config.json',
    );
  });

  it('an unknown backend is a clear error, without a stack', async () => {
    const { code, stderr } = await run(['--backend', 'no-such-backend']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: Unknown backend 'no-such-backend': this app ships 'ts', 'tfjs-cpu', 'tfjs-webgl', 'tfjs-wasm', and no package of that name is installed.",
    );
    const scoped = await run(['--backend', '@acme/no-such-backend']);
    expect(scoped.stderr).toBe(
      "error: Backend '@acme/no-such-backend' needs @acme/no-such-backend, which is not installed. Install: npm install @acme/no-such-backend",
    );
  });

  it('a backend that is not installed says what to install', async () => {
    // As where @twostep/backend-tfjs is not installed.
    const missing = Object.assign(
      new Error("Cannot find package '@twostep/backend-tfjs' imported from /app/dist/backends.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const { code, stderr } = await run([], {
      env: { TWOSTEP_BACKEND: 'tfjs-cpu' },
      backends: defineBackends({ 'tfjs-cpu': () => Promise.reject(missing) }),
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: Backend 'tfjs-cpu' needs @twostep/backend-tfjs, which is not installed. Install: npm install @twostep/backend-tfjs",
    );
  });

  it('an unknown flag is an error', async () => {
    const { code, stderr } = await run(['--lr', '0.1']);
    expect(code).toBe(1);
    expect(stderr).toContain("error: Unknown option '--lr'");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('an unexpected error shows its stack', async () => {
    const { code, stderr } = await run([], {
      backends: defineBackends({ ts: () => Promise.reject(new TypeError('boom')) }),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: TypeError: boom\n\s+at /);
  });
});
