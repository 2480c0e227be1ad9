import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

// Node runs every test; Chromium runs `*.browser.test.ts`: the package in a page, as bundled.
export default mergeConfig(
  shared,
  defineConfig({ test: { projects: nodeAndChromiumProjects(shared, []) } }),
);
