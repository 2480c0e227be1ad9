/**
 * Networks built and exported by PyTorch (test/fixtures, made by make_fixtures.py) import with
 * fromOnnx and predict what PyTorch predicted; our toOnnx exports pass the ONNX checker, as
 * recorded in fixtures/checker-results.json. To check current exports again:
 *   WRITE_ONNX_SAMPLES=/tmp/ours pnpm vitest run test/pytorch.test.ts --project node
 *   /usr/bin/python3 test/fixtures/make_fixtures.py --check /tmp/ours
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '@twostep/backend-ts';
import { ACTIVATION_NAMES, Network, predict } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { fromOnnx, toOnnx } from '../src/onnx.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));

interface Fixture {
  readonly torch: string;
  readonly opset: number;
  readonly onnxChecker: string;
  /** Rows of N0 inputs (an image flattened in PyTorch's row-major order). */
  readonly inputs: number[][];
  readonly outputs: number[][];
}

const fixtureNames = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.onnx'))
  .map((file) => file.slice(0, -'.onnx'.length))
  .sort();

describe('ONNX files made by PyTorch', () => {
  const backend = createBackend({ dtype: 'float32' });

  it.each(fixtureNames)('%s predicts what PyTorch predicted', async (name) => {
    const fixture: Fixture = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
    expect(fixture.onnxChecker).toBe('passed');
    const net = fromOnnx(readFileSync(join(FIXTURES, `${name}.onnx`)));
    const outputs = await predict(backend, net, fixture.inputs);
    expect(outputs.map((row) => row.length)).toEqual(fixture.outputs.map((row) => row.length));
    const magnitude = Math.max(...fixture.outputs.flat().map(Math.abs));
    const difference = Math.max(
      ...outputs.flatMap((row, i) => row.map((v, j) => Math.abs(v - fixture.outputs[i]![j]!))),
    );
    expect(
      difference,
      `max |ours − PyTorch ${fixture.torch}| = ${difference}, largest |output| ${magnitude}`,
    ).toBeLessThanOrEqual(1e-5 * magnitude);
  });
});

/** Our exports that make_fixtures.py --check has checked: every activation, bias or not, each dtype. */
const samples = ACTIVATION_NAMES.flatMap((activation) =>
  [true, false].flatMap((bias) =>
    (['float32', 'float64'] as const).map((dtype) => ({
      file: `${activation}-${bias ? 'bias' : 'no-bias'}-${dtype}.onnx`,
      net: () =>
        Network.create({
          architecture: [4, 6, 3],
          activation: activation === 'leakyRelu' ? { name: activation, alpha: 0.2 } : activation,
          bias,
          seed: 1,
        }),
      dtype,
    })),
  ),
);

describe('our ONNX exports', () => {
  const folder = process.env['WRITE_ONNX_SAMPLES'];

  it.runIf(folder)('are written to WRITE_ONNX_SAMPLES', () => {
    mkdirSync(folder!, { recursive: true });
    for (const { file, net, dtype } of samples) {
      writeFileSync(join(folder!, file), toOnnx(net(), { dtype }));
    }
  });

  it('pass the ONNX checker (fixtures/checker-results.json), as they are exported today', () => {
    const results = JSON.parse(readFileSync(join(FIXTURES, 'checker-results.json'), 'utf8'));
    const today = (net: Network, dtype: 'float32' | 'float64') =>
      createHash('sha256').update(toOnnx(net, { dtype })).digest('hex');
    // A different hash: the export changed since the checker saw it; run the commands above.
    expect(Object.fromEntries(samples.map(({ file }) => [file, results[file]]))).toEqual(
      Object.fromEntries(
        samples.map(({ file, net, dtype }) => [
          file,
          { sha256: today(net(), dtype), checker: 'passed' },
        ]),
      ),
    );
  });
});
