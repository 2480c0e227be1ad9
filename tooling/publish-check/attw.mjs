/**
 * attw (Are the Types Wrong?) over packed tarballs, with the verdict of the CLI's
 * `attw <tarball> --profile esm-only`, in one process: one TypeScript load for all of them.
 * Prints one JSON object: per tarball, whether it has types, its entrypoints, the CLI's exit
 * code and, when that is not 0, the CLI's table of the problems.
 *
 *   node tooling/publish-check/attw.mjs packages/core/twostep-core-0.1.0.tgz …
 *
 * test/publish.test.ts runs it in a plain Node process: inside Vitest, Node resolves attw's own
 * `development` export condition, which points at TypeScript sources.
 */
import { readFileSync } from 'node:fs';
import { getExitCode } from '@arethetypeswrong/cli/internal/getExitCode';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';

/**
 * The resolution modes that `--profile esm-only` leaves out: node10 (no `exports`; deprecated
 * since TypeScript 6.0) and node16 from CommonJS, which models Node 16, where require() cannot
 * load ESM. Node >= 20.19 can (TypeScript models it with `module: node20` or `nodenext`).
 */
const ESM_ONLY = { ignoreResolutions: ['node10', 'node16-cjs'] };

const results = {};
for (const tarball of process.argv.slice(2)) {
  const data = new Uint8Array(readFileSync(tarball));
  const analysis = await checkPackage(createPackageFromTarballData(data));
  const code = getExitCode(analysis, ESM_ONLY);
  let problems = '';
  if (code !== 0) {
    const { typed } = await import('@arethetypeswrong/cli/internal/render');
    problems = await typed(analysis, ESM_ONLY);
  }
  results[tarball] = {
    types: Boolean(analysis.types),
    entrypoints: Object.keys(analysis.entrypoints ?? {}),
    code,
    problems,
  };
}
console.log(JSON.stringify(results));
