import { playwright } from '@vitest/browser-playwright';
import {
  configDefaults,
  type TestProjectInlineConfiguration,
  type ViteUserConfig,
} from 'vitest/config';
import { CHROMIUM_ARGS, chromiumPath } from './tooling/chromium/src/chromium.mjs';

/** Vite's `defaultClientConditions` (vite is not a direct dependency to import them from). */
const VITE_CLIENT_CONDITIONS = ['module', 'browser', 'development|production'];

/**
 * A Vitest project named `chromium` that runs the test files `include` in headless Chromium
 * through Vitest's browser mode, for a package's `test.projects` next to its `node` project.
 *
 * `base` is the package's own config (vitest.shared.ts merged with the package's additions).
 * The project is built from it rather than with `extends: true`, because `extends` would
 * concatenate `include` with the shared `test/**\/*.test.ts` and run every test in the browser.
 * Its Vite options come along, so the browser build resolves workspace packages to their
 * `src/` through the `@twostep/source` condition (`resolve.conditions`) as Node does.
 */
export function chromiumProject(
  base: ViteUserConfig,
  include: string[],
): TestProjectInlineConfiguration {
  // Drop what is the root run's alone (reporters, output files) and what `include` replaces.
  const {
    include: _include,
    reporters: _reporters,
    outputFile: _outputFile,
    projects: _projects,
    benchmark: _benchmark,
    ...test
  } = base.test ?? {};
  return {
    ...base,
    resolve: {
      ...base.resolve,
      // Setting `conditions` replaces Vite's defaults; keep its browser ones after ours.
      conditions: [...(base.resolve?.conditions ?? []), ...VITE_CLIENT_CONDITIONS],
    },
    test: {
      ...test,
      // The browser instance below is the project that runs (and is named in the output);
      // Vitest needs the parent's name to differ from it.
      name: 'browser',
      include,
      // Chromium renders WebGL2 and WebGPU in software (SwiftShader) on the cores every other
      // package's tests share: tfjs-webgl's 400 training steps take 9 s alone and passed 60 s
      // in a full `pnpm test`. A hang still fails, at five minutes.
      testTimeout: 300_000,
      benchmark: { include: [] }, // benchmarks run in Node only
      browser: {
        enabled: true,
        headless: true,
        // The suites draw nothing; a failure screenshot would only litter test/__screenshots__.
        screenshotFailures: false,
        provider: playwright({
          // CHROME_PATH (`pnpm test` sets it) or the same lookup; Playwright never downloads one.
          launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] },
        }),
        instances: [{ browser: 'chromium', name: 'chromium' }],
      },
    },
  };
}

/**
 * The two projects of a backend package: `node` runs every test file but the browser-only
 * `*.browser.test.ts`; `chromium` runs `include` (the conformance suite, say) and those
 * browser-only files in headless Chromium. Use as `test.projects` in the package's config.
 */
export function nodeAndChromiumProjects(
  base: ViteUserConfig,
  include: string[],
): TestProjectInlineConfiguration[] {
  return [
    {
      extends: true,
      test: { name: 'node', exclude: [...configDefaults.exclude, 'test/**/*.browser.test.ts'] },
    },
    chromiumProject(base, [...include, 'test/**/*.browser.test.ts']),
  ];
}
