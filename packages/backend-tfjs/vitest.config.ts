import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

// Node runs tfjs-cpu and tfjs-wasm; Chromium runs tfjs-cpu again and the browser-only files
// (tfjs-webgl, on WebGL2 rendered in software).
export default mergeConfig(
  shared,
  defineConfig({
    test: { projects: nodeAndChromiumProjects(shared, ['test/cpu.conformance.test.ts']) },
  }),
);
