import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Packs and installs the scratch project every test file works in (test/setup.ts).
      globalSetup: ['test/setup.ts'],
      // One file at a time: node.test.ts takes packages out of the shared node_modules for a
      // while, which a build or a page in another file must never see.
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 300_000,
    },
  }),
);
