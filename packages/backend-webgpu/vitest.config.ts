import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

// Node runs what needs no GPU (the environment check, options, the shaders' text); Chromium
// runs the conformance suite and the `*.browser.test.ts` files on its WebGPU adapter
// (SwiftShader's Vulkan in software where there is no GPU; tooling/chromium adds the flag).
export default mergeConfig(
  shared,
  defineConfig({ test: { projects: nodeAndChromiumProjects(shared, []) } }),
);
