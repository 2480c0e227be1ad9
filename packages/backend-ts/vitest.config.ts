import { defineConfig, mergeConfig } from 'vitest/config';
import { nodeAndChromiumProjects } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

const base = mergeConfig(
  shared,
  defineConfig({ test: { benchmark: { include: ['bench/**/*.bench.ts'] } } }),
);

// The Chromium project's pages are cross-origin isolated, as a page that runs the backend on
// threads must be: SharedArrayBuffer (test/threads.browser.test.ts) needs it. Vitest's browser
// server sends `server.headers` with every response, the orchestrator and tester pages too.
const isolated = mergeConfig(
  base,
  defineConfig({
    server: {
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  }),
);

// Node runs every test; Chromium runs the conformance suite and the `*.browser.test.ts` files
// in headless Chromium (Vitest browser mode; tooling/chromium finds it, see vitest.browser.ts).
export default mergeConfig(
  base,
  defineConfig({
    test: { projects: nodeAndChromiumProjects(isolated, ['test/conformance.test.ts']) },
  }),
);
