import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings: tests read each workspace package's `src/` through the
 * `@twostep/source` export condition, so they never depend on a stale `dist/`.
 */
export default defineConfig({
  resolve: { conditions: ['@twostep/source'] },
  ssr: { resolve: { conditions: ['@twostep/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Set-up that loads data (10,000 MNIST digits) can take seconds on a busy machine.
    hookTimeout: 60_000,
    // The JSON report feeds the repository-wide summary line (tooling/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
  },
});
