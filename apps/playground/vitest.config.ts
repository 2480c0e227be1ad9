import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Unit tests run in Node; test/e2e.test.ts drives the built app in headless Chromium.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 240_000 } }));
