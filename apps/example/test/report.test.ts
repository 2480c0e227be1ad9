/** `twostep report`: the HTML it renders from a run record, and the command's files and flags. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { reportPathFor, runReport } from '../src/report.js';
import { renderReport } from '../src/report-html.js';
import { tempDir } from './helpers.js';
import { fixture, MISTAKES } from './report-helpers.js';

// ─── The HTML ────────────────────────────────────────────────────────────────────────────

describe('renderReport', () => {
  const html = renderReport(fixture());

  it('is one self-contained HTML file: nothing to fetch, no scripts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    for (const banned of ['http://', 'https://', '<script', '<link', '<img', '@import', 'url(']) {
      expect(html).not.toContain(banned);
    }
  });

  it('escapes what it interpolates', () => {
    expect(html).toContain('<code>&lt;b&gt;&amp;&lt;/b&gt;</code>');
    expect(html).not.toContain('<b>&');
    const record = fixture();
    const odd = renderReport({
      ...record,
      dataset: { ...record.dataset, name: 'M"N<I>ST', classes: [...record.dataset.classes] },
      backend: { name: "it's", dtype: 'a&b' },
    });
    expect(odd).toContain('M&quot;N&lt;I&gt;ST');
    expect(odd).toContain('it&#39;s');
    expect(odd).toContain('a&amp;b');
    expect(odd).not.toContain('<I>');
  });

  it('has the header numbers, charts, matrix, digits and config', () => {
    expect(html).toContain('94.20%'); // test accuracy
    expect(html).toContain('8,000 train · 2,000 test · 28×28 · 10 classes');
    for (const id of ['loss-chart', 'accuracy-chart', 'confusion-matrix', 'config', 'epochs']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html.match(/class="digit"/g)).toHaveLength(MISTAKES.length);
    expect(html).toContain('A[784,128,10]');
  });

  it.each([1, 0])('draws %i epoch(s) and constant series without NaN', (epochs) => {
    const record = fixture(epochs);
    const flat = renderReport({
      ...record,
      epochs: record.epochs.map((e) => ({ ...e, loss: 0.3, trainAccuracy: 1, testAccuracy: 1 })),
      misclassified: [],
    });
    expect(flat).not.toMatch(/NaN|Infinity|undefined/);
    expect(flat).toContain('No misclassified test digits');
    const constant = renderReport({
      ...fixture(4),
      epochs: fixture(4).epochs.map((e) => ({ ...e, loss: 0, trainAccuracy: 0, testAccuracy: 0 })),
    });
    expect(constant).not.toMatch(/NaN|Infinity|undefined/);
  });
});

// ─── The command ─────────────────────────────────────────────────────────────────────────

function io(cwd: string) {
  const stdout: string[] = [];
  return { io: { env: {}, cwd, stdout: (l) => stdout.push(l), stderr: () => {} } as Io, stdout };
}

describe('twostep report', () => {
  it('writes models/mnist.report.html from models/mnist.run.json by default', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'models'));
    await writeFile(join(cwd, 'models', 'mnist.run.json'), JSON.stringify(fixture()));
    const { io: streams, stdout } = io(cwd);
    await runReport([], streams);
    expect(stdout).toEqual([`wrote ${join('models', 'mnist.report.html')}`]);
    const html = await readFile(join(cwd, 'models', 'mnist.report.html'), 'utf8');
    expect(html).toBe(renderReport(fixture()));
  });

  it('takes --run and --out', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'fresh.run.json'), JSON.stringify(fixture(2)));
    const { io: streams, stdout } = io(cwd);
    await runReport(['--run', 'fresh.run.json', '--out', 'out/deep/r.html'], streams);
    expect(stdout).toEqual([`wrote ${join('out', 'deep', 'r.html')}`]);
    expect(await readFile(join(cwd, 'out', 'deep', 'r.html'), 'utf8')).toBe(
      renderReport(fixture(2)),
    );
  });

  it('names the default output after the run record', () => {
    expect(reportPathFor('/m/mnist.run.json')).toBe('/m/mnist.report.html');
    expect(reportPathFor('/m/other.json')).toBe('/m/other.report.html');
    expect(reportPathFor('/m/record')).toBe('/m/record.report.html');
  });

  it.each([
    [['--bogus'], /--bogus/],
    [['--run'], /--run/],
    [['stray.json'], /stray\.json/],
    [['--out', 'x.html', '--verbose'], /--verbose/],
  ])('rejects %j with a ConfigError naming it', async (args, message) => {
    const { io: streams } = io(await tempDir());
    const error = await runReport(args, streams).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('says which run record is missing', async () => {
    const cwd = await tempDir();
    const { io: streams } = io(cwd);
    await expect(runReport([], streams)).rejects.toThrow(
      new RegExp(`cannot read the run record ${join(cwd, 'models', 'mnist.run.json')}`),
    );
  });
});
