import { describe, expect, it } from 'vitest';
import { colourOf } from '../src/colours.js';
import {
  formatValue,
  norm,
  renderNetwork,
  renderTraceTable,
  shownNeurons,
} from '../src/network-view.js';
import type { StepTrace } from '../src/protocol.js';

/** A[2,3,2] with bias: numbers chosen by hand, every one distinct. */
const trace: StepTrace = {
  architecture: [2, 3, 2],
  bias: true,
  activations: ['tanh', 'identity'],
  loss: 'mse',
  sample: 4,
  target: [1, 0],
  J: 0.3125,
  X: [
    [0.5, -1.25],
    [0.1, -0.2, 0.3],
    [0.7, -0.4],
  ],
  Y: [
    [0.11, -0.22, 0.33],
    [0.7, -0.4],
  ],
  deltaUp: [
    [0.01, -0.02],
    [0.03, -0.04, 0.05],
    [-0.3, -0.4],
  ],
  deltaDown: [
    [0.029, -0.038, 0.045],
    [-0.3, -0.4],
  ],
  weights: [
    [
      [0.1, -0.2, 0.05],
      [0.3, 0.4, -0.05],
      [-0.5, 0.6, 0],
    ],
    [
      [1, -2, 3, 0.5],
      [-1.5, 2.5, -0.25, 0],
    ],
  ],
  gradients: [
    [
      [0.0145, -0.03625, 0.029],
      [-0.019, 0.0475, -0.038],
      [0.0225, -0.05625, 0.045],
    ],
    [
      [-0.03, 0.06, -0.09, -0.3],
      [-0.04, 0.08, -0.12, -0.4],
    ],
  ],
};

const count = (markup: string, pattern: RegExp) => (markup.match(pattern) ?? []).length;

/** A trace of `architecture` with bias, every number a sine (distinct, of both signs). */
function synthetic(architecture: number[]): StepTrace {
  const v = (n: number, k = 1) => Array.from({ length: n }, (_, i) => k * Math.sin(i + n));
  const m = (rows: number, columns: number) =>
    Array.from({ length: rows }, (_, i) => v(columns, i + 1));
  const layers = architecture.slice(1);
  return {
    architecture,
    bias: true,
    activations: layers.map((_, h) => (h === layers.length - 1 ? 'identity' : 'relu')),
    loss: 'softmaxCrossEntropy',
    sample: -1,
    target: v(layers.at(-1)!),
    J: 2.5,
    X: architecture.map((n) => v(n)),
    Y: layers.map((n) => v(n)),
    deltaUp: architecture.map((n) => v(n, 0.1)),
    deltaDown: layers.map((n) => v(n, 0.1)),
    weights: layers.map((n, h) => m(n, architecture[h]! + 1)),
    gradients: layers.map((n, h) => m(n, architecture[h]! + 1)),
  };
}

describe('the network as Fig. 5 draws it', () => {
  const svg = renderNetwork(trace);

  it('draws every neuron, the formal neuron of each layer below L, and every weight', () => {
    for (const [h, n] of [2, 3, 2].entries()) {
      expect(count(svg, new RegExp(`<circle class="neuron" data-layer="${h}"`, 'g'))).toBe(n);
    }
    expect(count(svg, /<rect class="bias"/g)).toBe(2);
    expect(svg).not.toContain('<rect class="bias" data-layer="2"');
    expect(count(svg, /<line class="edge"/g)).toBe(3 * (2 + 1) + 2 * (3 + 1));
    expect(svg).toMatch(/^<svg class="network" viewBox="0 0 \d+ \d+"/);
  });

  it('draws no formal neuron, and no bias edges, without bias', () => {
    const plain = renderNetwork({
      ...trace,
      bias: false,
      weights: trace.weights.map((w) => w.map((r) => r.slice(0, -1))),
      gradients: trace.gradients.map((g) => g.map((r) => r.slice(0, -1))),
    });
    expect(count(plain, /<rect class="bias"/g)).toBe(0);
    expect(count(plain, /<line class="edge"/g)).toBe(3 * 2 + 2 * 3);
  });

  it('fills a neuron by Xh and rings it by δdown_h, with the exact numbers in its tooltip', () => {
    // Neuron 3 of layer 1: X1 = 0.3 of max |X| 1.25, δdown1 = 0.045 of max |δ| 0.4.
    const neuron = svg.match(
      /<circle class="neuron" data-layer="1"[^>]*>(?:(?!<\/circle>).)*X1\[3\]/s,
    );
    expect(neuron?.[0]).toContain(`fill="${colourOf(0.3, 1.25)}" stroke="${colourOf(0.045, 0.4)}"`);
    expect(svg).toContain('X1[3] = 0.3\nY1[3] = 0.33\nδup1[3] = 0.05\nδdown1[3] = 0.045</title>');
  });

  it('keeps a legend of the scale and J', () => {
    expect(count(svg, /<rect class="swatch"/g)).toBe(7);
    expect(svg).toContain(`fill="${colourOf(-1, 1)}"`);
    expect(svg).toContain('J = 0.3125');
  });

  it('draws NaN without failing, in the colour of numbers that are not finite', () => {
    const bad = renderNetwork({ ...trace, X: [trace.X[0]!, [Number.NaN, 0, 1], trace.X[2]!] });
    expect(bad).toContain(`fill="${colourOf(Number.NaN, 1)}"`);
    expect(bad).toContain('X1[1] = NaN');
  });

  it('colours an edge by its weight, on the scale of its matrix', () => {
    // W2[1][3] = 3 is the largest |w| of W2: the deepest red.
    const edge = svg.match(/<line class="edge"[^>]*stroke="([^"]+)"[^>]*><title>W2\[1\]\[3\] = 3 /);
    expect(edge?.[1]).toBe(colourOf(3, 3));
    const bias = svg.match(
      /<line class="edge"[^>]*stroke="([^"]+)"[^>]*><title>W1\[2\]\[bias\] = -0\.05 {3}∂J\/∂W1\[2\]\[bias\] = -0\.038/,
    );
    expect(bias?.[1]).toBe(colourOf(-0.05, 0.6));
  });

  it('writes the equation of each arrow with the layer numbers', () => {
    for (const text of [
      '→ Y1 = W1 · X0,  X1 = σ1(Y1)',
      '→ Y2 = W2 · X1,  X2 = σ2(Y2)',
      '← δdown2 = δup2 ⊙ σ2′(Y2)',
      '∂J/∂W1 = δdown1 · X0ᵀ',
      'δup0 = (W♯1)ᵀ · δdown1',
      'layer 1: σ1 = tanh',
      'layer 2: σ2 = identity',
    ]) {
      expect(svg).toContain(text);
    }
  });

  it('shows a wide layer by its first and last neurons, counting the rest', () => {
    expect(shownNeurons(784, 12)).toEqual({
      shown: [...Array(10).keys(), 782, 783],
      hidden: 772,
      head: 10,
    });
    expect(shownNeurons(5, 12)).toEqual({ shown: [0, 1, 2, 3, 4], hidden: 0, head: 5 });
    const wide: StepTrace = {
      ...trace,
      architecture: [784, 3, 2],
      X: [new Array(784).fill(0.5), ...trace.X.slice(1)],
      deltaUp: [new Array(784).fill(0.01), ...trace.deltaUp.slice(1)],
      weights: [trace.weights[0]!.map(() => new Array(785).fill(0.1)), trace.weights[1]!],
      gradients: [trace.gradients[0]!.map(() => new Array(785).fill(0.1)), trace.gradients[1]!],
    };
    const markup = renderNetwork(wide);
    expect(count(markup, /<circle class="neuron" data-layer="0"/g)).toBe(12);
    expect(markup).toContain('⋮ 772 more');
    expect(count(markup, /<line class="edge"/g)).toBe(3 * (12 + 1) + 2 * (3 + 1));
  });

  it('escapes the text it is given', () => {
    expect(renderNetwork({ ...trace, activations: ['<b>', 'identity'] })).toContain(
      'σ1 = &#60;b&#62;',
    );
  });
});

describe('the δ panel', () => {
  const html = renderTraceTable(trace);
  const values = [...html.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));

  it('lists X, Y, δup, δdown and ∂J/∂W of every layer, exactly, in the order of the F-adjoint', () => {
    const expected = [
      trace.J,
      ...trace.X[2]!,
      ...trace.Y[1]!,
      ...trace.deltaUp[2]!,
      ...trace.deltaDown[1]!,
      0.4,
      norm(trace.gradients[1]!.flat()),
      ...trace.gradients[1]!.flat(),
      ...trace.X[1]!,
      ...trace.Y[0]!,
      ...trace.deltaUp[1]!,
      ...trace.deltaDown[0]!,
      0.05625,
      norm(trace.gradients[0]!.flat()),
      ...trace.gradients[0]!.flat(),
      ...trace.X[0]!,
      ...trace.deltaUp[0]!,
    ];
    expect(values).toEqual(expected);
    expect(html).toContain('training sample 4, target [1, 0], loss mse');
    expect(html).toContain('<th>δdown2</th><td class="equation">δup2 ⊙ σ2′(Y2)</td>');
    expect(html).toContain('<th>δup1</th><td class="equation">(W♯2)ᵀ · δdown2</td>');
  });

  it('gives ‖∂J/∂Wh‖, even of 784 × 256 numbers, too many to spread into Math.hypot', () => {
    const g = trace.gradients[1]!.flat();
    expect(norm(g)).toBeCloseTo(Math.hypot(...g), 14);
    expect(norm([3e200, 4e200])).toBeCloseTo(5e200, -186);
    expect(norm([0, 0])).toBe(0);
    expect(norm([1, Number.NaN])).toBeNaN();
    expect(norm([Number.NaN, Number.NEGATIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
    const mnist = synthetic([784, 256, 10]);
    const html = renderTraceTable(mnist);
    const big = mnist.gradients[0]!.flat();
    expect(big).toHaveLength(256 * 785);
    expect(html).toContain(`data-value="${norm(big)}"`);
    expect(html).toContain('… 772 more');
    expect(count(html, /<table class="matrix">/g)).toBe(0);
    expect(count(renderNetwork(mnist), /<circle class="neuron"/g)).toBe(12 + 12 + 10);
  });

  it('escapes the loss and σ names', () => {
    const html = renderTraceTable({ ...trace, loss: '<script>', activations: ['a&b', 'identity'] });
    expect(html).toContain('loss &#60;script&#62;');
    expect(html).toContain('σ1 = a&#38;b');
    expect(html).not.toContain('<script>');
  });

  it('marks numbers that are not finite', () => {
    const bad = renderTraceTable({
      ...trace,
      deltaDown: [[Number.NaN, 0, 1], trace.deltaDown[1]!],
    });
    expect(bad).toContain('<span class="value nonfinite" data-value="NaN"');
    expect(bad).toMatch(/>NaN<\/span>/);
  });

  it('shortens long vectors, saying how many are left out', () => {
    const long = renderTraceTable(
      { ...trace, X: [new Array(30).fill(1), ...trace.X.slice(1)] },
      { maxValues: 3 },
    );
    expect(long).toContain('… 27 more');
    // ∂J/∂W1 (3 × 3) is a grid within 3 rows and 4 columns; ∂J/∂W2 (2 × 4) too; not past them.
    expect(count(long, /<table class="matrix">/g)).toBe(2);
    const narrow = renderTraceTable(trace, { maxValues: 2 });
    expect(count(narrow, /<table class="matrix">/g)).toBe(0);
  });

  it('formats 4 significant digits', () => {
    expect([0, 1234567, 0.000123456, -2.5, Number.POSITIVE_INFINITY].map(formatValue)).toEqual([
      '0',
      '1235000',
      '0.0001235',
      '-2.5',
      'Infinity',
    ]);
  });
});
