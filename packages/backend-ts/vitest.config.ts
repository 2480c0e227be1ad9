import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

const base = mergeConfig(
  shared,
  defineConfig({ test: { benchmark: { include: ['bench/**/*.bench.ts'] } } }),
);

// Node runs every test; Chromium runs the conformance suite and the `*.browser.test.ts` files
// in headless Chromium (Vitest browser mode; tooling/chromium finds it, see vitest.browser.ts).
export default mergeConfig(
  base,
  defineConfig({
    test: { projects: nodeAndChromiumProjects(base, ['test/conformance.test.ts']) },
  }),
);
