import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import { chromiumProject } from '../../vitest.browser.ts';
import shared from '../../vitest.shared.ts';

const base = mergeConfig(
  shared,
  defineConfig({ test: { benchmark: { include: ['bench/**/*.bench.ts'] } } }),
);

// `vitest run` runs two projects: `node` runs every test but the browser-only
// `*.browser.test.ts`; `chromium` runs the conformance suite and those browser-only files in
// headless Chromium (Vitest browser mode, Debian's /usr/bin/chromium; see vitest.browser.ts).
// A new backend gets its browser run with the same `projects` list, naming its own files.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: { name: 'node', exclude: [...configDefaults.exclude, 'test/**/*.browser.test.ts'] },
        },
        chromiumProject(base, ['test/conformance.test.ts', 'test/**/*.browser.test.ts']),
      ],
    },
  }),
);
