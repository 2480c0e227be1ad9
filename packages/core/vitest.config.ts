import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The core's tests compute on the reference backend, backend-ts, read from its source. It
// is aliased rather than declared as a dependency: backend-ts depends on core, and a
// dependency back would make the workspace graph cyclic.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: {
        '@twostep/backend-ts': fileURLToPath(
          new URL('../backend-ts/src/index.ts', import.meta.url),
        ),
      },
    },
  }),
);
