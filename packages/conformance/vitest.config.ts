import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The self-test derives broken backends from backend-ts, read from its source. It is aliased
// rather than declared as a dependency: backend-ts runs this suite, and a dependency back
// would make the workspace graph cyclic.
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
