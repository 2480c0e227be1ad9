import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../../tooling/chromium/src/chromium.mjs';
import type { RunSettings } from '../src/grid.js';
import { htmlReport, markdownReport } from '../src/report.js';
import type { RunRecord } from '../src/run.js';
import { SETTINGS } from './settings.js';

const base: RunSettings = { ...SETTINGS, epochs: 3 };

/** Three epochs climbing to `accuracy`, 10 ms each. */
const record = (settings: Partial<RunSettings>, accuracy: number): RunRecord => ({
  id: JSON.stringify(settings),
  settings: { ...base, ...settings },
  epochs: [0.6, 0.8, 1].map((f, i) => ({
    epoch: i + 1,
    trainLoss: 1 - f / 2,
    trainAccuracy: accuracy * f,
    testLoss: 1 - f / 2,
    testAccuracy: accuracy * f,
  })),
  seconds: [0.01, 0.01, 0.01],
});

const records = [1, 2, 3, 4].flatMap((seed) => [
  record({ seed }, 0.9 + seed / 100),
  record({ seed, rule: 'classic' }, 0.9 + seed / 100),
  record({ seed, learningRate: 0.5 }, 0.8 + seed / 100),
  record({ seed, dataset: { name: 'xor', size: 400, noise: 0.15 } }, 0.95),
]);
const options = { name: 'demo', target: 0.9 };

describe('markdownReport', () => {
  const text = markdownReport(records, options);

  it('has a table per dataset, each cell labelled by its rule and what varies', () => {
    expect(text.startsWith('# Study demo\n\n16 runs. Intervals: 95% over the seeds')).toBe(true);
    expect(text).toContain('above 100%).\n\n## moons\n');
    expect(text).toContain('| twoStep global · lr 0.1 | 4 | 92.5% [90.4%, 94.6%] |');
    expect(text).toContain('| classic · lr 0.1 | 4 | 92.5% [90.4%, 94.6%] |');
    expect(text).toContain('| twoStep global · lr 0.5 | 4 | 82.5% [80.4%, 84.6%] |');
    // 92.5% mean ± t(0.975, 3) · s / 2 with s = 1.29 points: 3.1824 · 0.6455 = 2.05 points.
    expect(text).toContain('\n## xor\n');
    expect(text).toContain('| twoStep global | 4 | 95.0% [95.0%, 95.0%] |');
  });

  it('compares the rules that ran in the same setting', () => {
    expect(text).toContain(
      '| twoStep global | classic | lr 0.1 | 4 | 0.00 points | 1.000 | 1.000 | 0.00 |',
    );
    expect(text.match(/\| twoStep global \| classic \|/g)).toHaveLength(1);
  });

  it('cuts intervals at 100%, and signs differences and effects with a true minus', () => {
    // classic better on every seed: twoStep 0.9, 0.95, 0.7; classic 1, 1, 0.9.
    const near = [1, 2, 3].flatMap((seed) => [
      record({ seed }, [0.9, 0.95, 0.7][seed - 1]!),
      record({ seed, rule: 'classic' }, [1, 1, 0.9][seed - 1]!),
    ]);
    const table = markdownReport(near, options);
    // 85% ± t(0.975, 2) · s / √3 = 4.3027 · 0.1323 / 1.732 = 32.9 points; 96.7% ± 14.3 points.
    expect(table).toContain('| twoStep global | 3 | 85.0% [52.1%, 100.0%] |');
    expect(table).toContain('| classic | 3 | 96.7% [82.3%, 100.0%] |');
    // Exact Wilcoxon p for 3 pairs all one way: 2 / 2³.
    expect(table).toContain(
      '| twoStep global | classic | all | 3 | −11.67 points | 0.250 | 0.250 | −1.00 |',
    );
  });

  it('times the first epoch at the target, over the runs that reached it', () => {
    // At 0.9: the lr 0.1 runs reach it at epoch 3 (0.91…0.94 · 1), 30 ms in.
    expect(text).toContain('| 30.0 ms [30.0 ms, 30.0 ms] (4 of 4) |');
    expect(text).toContain('| never |');
  });
});

describe('htmlReport', () => {
  it('is one page with three charts per dataset as SVG, no script and nothing to fetch', async () => {
    const html = await htmlReport(records, options);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/)/);
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
  });

  it('renders in Chromium without a request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twostep-report-'));
    const file = join(dir, 'demo.html');
    writeFileSync(file, await htmlReport(records, options));
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...CHROMIUM_ARGS],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      expect(requests).toEqual([`file://${file}`]);
      const boxes = await page
        .locator('figure svg')
        .evaluateAll((svgs) =>
          svgs.map((s) => s.getBoundingClientRect()).map((r) => [r.width, r.height]),
        );
      expect(boxes).toHaveLength(6);
      for (const [width, height] of boxes) {
        expect(width).toBeGreaterThan(300);
        expect(height).toBeGreaterThan(50);
      }
      expect(await page.locator('h2').allTextContents()).toEqual(['moons', 'xor']);
    } finally {
      await browser.close();
    }
  });
});
