/**
 * A realistic run record for the report's tests: five epochs of MNIST on ts, a confusion matrix
 * of about 200 test digits a class, and six misclassified digits drawn as strokes.
 */
import type { Misclassified, RunRecord } from '../src/record.js';

const SIZE = 28;
type Point = readonly [number, number];

/** Strokes through the given points (28 × 28, in [0, 1]), about 2.5 pixels wide, soft-edged. */
function draw(...strokes: Point[][]): number[] {
  const distance = ([px, py]: Point, [ax, ay]: Point, [bx, by]: Point) => {
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
  };
  const pixels: number[] = [];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let d = Infinity;
      for (const stroke of strokes) {
        for (let k = 1; k < stroke.length; k++) {
          d = Math.min(d, distance([x + 0.5, y + 0.5], stroke[k - 1]!, stroke[k]!));
        }
      }
      pixels.push(Math.max(0, Math.min(1, (2.4 - d) / 1.2)));
    }
  }
  return pixels;
}

/** An ellipse as a closed stroke. */
const ring = (cx: number, cy: number, rx: number, ry: number): Point[] =>
  Array.from({ length: 25 }, (_, k) => {
    const a = (2 * Math.PI * k) / 24;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as const;
  });

const SHAPES: Record<number, Point[][]> = {
  2: [
    [
      [8, 9],
      [12, 5],
      [18, 6],
      [19, 11],
      [8, 23],
      [21, 23],
    ],
  ],
  3: [
    [
      [8, 6],
      [19, 6],
      [14, 13],
      [20, 18],
      [17, 23],
      [8, 22],
    ],
  ],
  4: [
    [
      [17, 24],
      [17, 4],
      [7, 17],
      [22, 17],
    ],
  ],
  5: [
    [
      [20, 5],
      [10, 5],
      [9, 13],
      [17, 13],
      [20, 18],
      [16, 23],
      [8, 22],
    ],
  ],
  7: [
    [
      [7, 6],
      [21, 6],
      [12, 24],
    ],
  ],
  9: [
    ring(14, 10, 5, 5),
    [
      [19, 10],
      [17, 24],
    ],
  ],
};

/** [true, predicted] of the misclassified digits. */
export const MISTAKES: [number, number][] = [
  [4, 9],
  [7, 1],
  [3, 5],
  [9, 4],
  [2, 7],
  [5, 3],
];

export function fixture(epochs = 5): RunRecord {
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  // About 200 test digits a class: most right, a few confused with a look-alike.
  const confusion = classes.map((_, i) =>
    classes.map((_, j) => (i === j ? 180 + ((i * 7) % 20) : (i * 3 + j * 5) % 11 === 0 ? 6 : 1)),
  );
  const misclassified: Misclassified[] = MISTAKES.map(([label, predicted], k) => ({
    index: 37 * k + 11,
    label,
    predicted,
    pixels: draw(...SHAPES[label]!),
  }));
  return {
    format: 'twostep-run',
    version: 1,
    finishedAt: '2026-11-28T13:31:43.425Z',
    config: {
      backend: 'ts',
      dtype: 'default',
      architecture: 'A[784,128,10]',
      activation: 'relu',
      optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
      batchSize: 32,
      epochs,
      seed: 1,
      note: '<b>&</b>',
    },
    backend: { name: 'ts', dtype: 'float32' },
    dataset: { name: 'MNIST', classes, trainSize: 8000, testSize: 2000, width: 28, height: 28 },
    epochs: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 0.5 / (i + 1) ** 1.3,
      trainAccuracy: 1 - 0.07 / (i + 1),
      testAccuracy: 0.95 - 0.04 / (i + 1),
      seconds: 1.1 + 0.1 * (i % 3),
      samplesPerSecond: 8000 / (1.1 + 0.1 * (i % 3)),
    })),
    testAccuracy: 0.942,
    confusion,
    misclassified,
  };
}
