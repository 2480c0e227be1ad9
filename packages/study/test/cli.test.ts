import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duration, main, USAGE } from '../src/cli.js';
import { session, specFile } from './session.js';

const SPEC = {
  name: 'cli',
  datasets: [{ name: 'circles', size: 80 }],
  hidden: [[4]],
  rules: ['twoStep', 'classic'],
  learningRates: [0.3],
  epochs: 2,
  seeds: 2,
};

describe('twostep-study run', () => {
  it('runs the study, prints progress with the time left, and records beside the spec', async () => {
    const path = specFile(SPEC);
    const { io, out, err } = session();
    expect(await main(['run', path, '--workers', '2'], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(5);
    expect(out[0]).toMatch(
      /^\[1\/4\] circles (twoStep global|classic) sgd lr 0\.3 seed [12]: test accuracy \d+\.\d% · \d+s elapsed, about \d+s left$/,
    );
    const records = join(path, '..', 'cli.jsonl');
    expect(out[4]).toBe(
      `4 runs recorded, 0 already there, of 4 in study.json; records in ${records} (${out[4]!.match(/\((.+)\)\.$/)![1]}).`,
    );
    expect(readFileSync(records, 'utf8').trim().split('\n')).toHaveLength(4);
    const again = session();
    expect(await main(['run', path, '--json'], again.io)).toBe(0);
    expect(again.out.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ event: 'done', runs: 4, skipped: 4, recorded: 0, records }),
    ]);
  });

  it('prints one JSON line per run with --json', async () => {
    const path = specFile(SPEC);
    const out = join(path, '..', 'other.jsonl');
    const { io, out: lines } = session();
    expect(await main(['run', path, '--out', out, '--json', '--workers', '1'], io)).toBe(0);
    const events = lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['run', 'run', 'run', 'run', 'done']);
    expect(events[0].record.epochs).toHaveLength(2);
  });

  it('exits 2 naming what is wrong: a bad spec, a missing file, a bad flag', async () => {
    const bad = session();
    expect(await main(['run', specFile({ ...SPEC, epochs: -1 })], bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/^twostep-study: .*study\.json is not a study spec:\n {2}epochs: /);
    const missing = session();
    expect(await main(['run', '/nonexistent/spec.json'], missing.io)).toBe(2);
    expect(missing.err[0]).toMatch(
      /^twostep-study: cannot read the spec \/nonexistent\/spec\.json: ENOENT/,
    );
    const flag = session();
    expect(await main(['run', 'x.json', '--colour'], flag.io)).toBe(2);
    expect(flag.err[0]).toMatch(/--colour/);
    const none = session();
    expect(await main([], none.io)).toBe(2);
    expect(none.err[0]).toBe(
      `twostep-study: expected 'run <spec.json>', 'worker' or 'report <spec.json>'.\n${USAGE}`,
    );
  });

  it('prints its usage with --help', async () => {
    const { io, out } = session();
    expect(await main(['--help'], io)).toBe(0);
    expect(out).toEqual([USAGE]);
  });
});

describe('duration', () => {
  it('reads as hours and minutes, minutes and seconds, or seconds', () => {
    expect([duration(0.4), duration(59.6), duration(185), duration(3725)]).toEqual([
      '0s',
      '1m00s',
      '3m05s',
      '1h02m',
    ]);
  });
});
