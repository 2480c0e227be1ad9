/** Registers the suite with the running Vitest: one call per backend. */
import { describe, it } from 'vitest';
import type { CreateBackend } from './check.js';
import { checks } from './checks.js';

export interface ConformanceOptions {
  /** Shown in test names, e.g. `ts-float64`. */
  readonly name: string;
  /**
   * A fresh backend instance; called once per check, and for the few checks that use two
   * instances. Those of another dtype are asked for with `{ dtype }`: pass it on
   * (`(o) => createBackend({ dtype: 'float32', ...o })`), or a check of operands of another
   * dtype falls back on matrices of another backend.
   */
  readonly create: CreateBackend;
  /**
   * Milliseconds per check (default 300 000). It replaces Vitest's `testTimeout` for the
   * suite's checks, so the default is generous: a check that takes 10 s alone (products on
   * every block boundary, on WebGPU in software) took over 60 s on a machine shared with
   * other test runs. A check that hangs still fails, at five minutes.
   */
  readonly timeout?: number;
}

/**
 * Registers every check of the suite as a Vitest test, grouped by area:
 *
 *     runConformance({ name: 'ts-float64', create: () => createBackend({ dtype: 'float64' }) });
 *
 * Checks that need an optional capability run only when the backend declares it in
 * `supports`; everything else applies to every backend.
 */
export function runConformance({ name, create, timeout = 300_000 }: ConformanceOptions): void {
  describe(`conformance: ${name}`, () => {
    const areas = [...new Set(checks.map((c) => c.area))];
    for (const area of areas) {
      describe(area, () => {
        for (const c of checks.filter((x) => x.area === area)) {
          it(
            c.name,
            async (context) => {
              const backend = await create();
              if (c.applies && !c.applies(backend)) {
                context.skip(`${name} does not declare what this check needs`);
                return;
              }
              await c.run(backend, create);
            },
            timeout,
          );
        }
      });
    }
  });
}
