import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Unit tests run in Node; test/e2e.test.ts drives the built app in headless Chromium, where a
// page under load (CI runs every package's tests at once) may take seconds to show a change.
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 240_000, expect: { poll: { timeout: 30_000 } } } }),
);
