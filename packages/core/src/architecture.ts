import { ArchitectureError } from './errors.js';
import { shown } from './json.js';

/**
 * Parses the paper's architecture notation `A[N0, N1, …, NL]` (eq. 17) into its widths.
 * Widths count genuine neurons; the bias's formal neuron is not written (Remark 1).
 * Arrays of widths are accepted and checked the same way.
 */
export function parseArchitecture(architecture: string | readonly number[]): number[] {
  const widths = typeof architecture === 'string' ? parseNotation(architecture) : [...architecture];
  if (widths.length < 2) {
    throw new ArchitectureError(
      `Architecture ${show(architecture)} has ${widths.length} layer${widths.length === 1 ? '' : 's'}; ` +
        'a network needs an input width and at least one layer, e.g. A[2,3,1].',
    );
  }
  widths.forEach((n, h) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new ArchitectureError(
        `Architecture ${show(architecture)}: N${h} = ${n} is not a positive integer; every width counts neurons, e.g. A[2,3,1].`,
      );
    }
    if (!Number.isSafeInteger(n)) throw tooWide(show(architecture), h, shown(n));
  });
  return widths;
}

function parseNotation(text: string): number[] {
  const match = /^\s*A?\s*\[(.*)\]\s*$/.exec(text);
  if (!match) {
    throw new ArchitectureError(
      `Architecture '${text}' is not in the form A[N0, N1, …, NL], e.g. 'A[784,128,10]'.`,
    );
  }
  const body = match[1]!.trim();
  if (body === '') return [];
  return body.split(',').map((part, h) => {
    const trimmed = part.trim();
    if (!/^\d+$/.test(trimmed)) {
      throw new ArchitectureError(
        `Architecture '${text}': N${h} = '${trimmed}' is not a positive integer; every width counts neurons, e.g. A[2,3,1].`,
      );
    }
    const n = Number(trimmed);
    // Past 2⁵³ − 1 digits are lost: 99999999999999999999 would read as 1e20.
    if (!Number.isSafeInteger(n)) throw tooWide(`'${text}'`, h, trimmed);
    return n;
  });
}

const tooWide = (architecture: string, h: number, n: string) =>
  new ArchitectureError(
    `Architecture ${architecture}: N${h} = ${n} is beyond the safe integers (${Number.MAX_SAFE_INTEGER}); give each layer's width in neurons, e.g. A[784,128,10].`,
  );

const show = (a: string | readonly number[]) =>
  typeof a === 'string' ? `'${a}'` : `A[${a.join(',')}]`;

/** Formats widths in the paper's notation: `[784, 128, 10]` → `A[784,128,10]`. */
export function formatArchitecture(widths: readonly number[]): string {
  return `A[${widths.join(',')}]`;
}
