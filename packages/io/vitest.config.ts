import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

// onnxruntime-web finds its WebAssembly glue beside its own module: Vite's pre-bundling of
// dependencies would move it, so the page loads it as shipped.
const base = mergeConfig(shared, defineConfig({ optimizeDeps: { exclude: ['onnxruntime-web'] } }));

// Node runs every test; Chromium runs `*.browser.test.ts`: the package in a page, as bundled.
export default mergeConfig(
  base,
  defineConfig({ test: { projects: nodeAndChromiumProjects(base, []) } }),
);
