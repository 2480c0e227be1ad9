/** The `twostep` command, as a function of its arguments and environment (for tests). */
import { ResourceLimitError, TwoStepError } from '@twostep/core';
import { MNIST_CLASSES } from '@twostep/datasets/mnist';
import { listBackends } from './backends.js';
import { type Command, parseCommandLine, USAGE } from './command-line.js';
import { CONFIG_FILE, DEFAULT_CONFIG } from './config.js';
import { resolveConfig } from './config-sources.js';
import { runExport } from './export.js';
import { runImport } from './import.js';
import type { Io } from './io.js';
import { jsonReporter, textReporter } from './progress.js';
import { runReport } from './report.js';
import { runTrace } from './trace.js';
import { runTraining } from './train.js';
import { runEvaluate, runPredict } from './use.js';

/** The commands other than `train`, each parsing the arguments after its name. */
const COMMANDS: Record<
  Exclude<Command, 'train' | 'help'>,
  (args: readonly string[], io: Io) => Promise<void>
> = {
  backends: listBackends,
  evaluate: runEvaluate,
  predict: runPredict,
  report: runReport,
  trace: runTrace,
  export: runExport,
  import: runImport,
};

/**
 * Runs `twostep [command] [options]` and resolves to the exit code. Errors go to stderr as
 * `error: <message>`: the library's own errors (TwoStepError) say what to fix, so they come
 * without a stack; anything else is a bug and shows its stack.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const line = parseCommandLine(argv, io.cwd);
    if (line.command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (line.command !== 'train') {
      await COMMANDS[line.command](line.args, io);
      return 0;
    }
    const { config, configPath } = await resolveConfig({
      configPath: line.configPath,
      env: io.env,
      overrides: line.overrides,
      learningRate: line.learningRate,
      cwd: io.cwd,
    });
    await runTraining(config, {
      onEvent: line.json
        ? jsonReporter(io.stdout)
        : textReporter(io.stdout, MNIST_CLASSES, io.cwd, io.terminal),
      signal: io.signal,
      resume: line.resume,
      inputs: [configPath],
      ...(io.backends && { backends: io.backends }),
    });
    return 0;
  } catch (error) {
    io.stderr(
      error instanceof TwoStepError
        ? `error: ${messageOf(error)}`
        : `error: ${(error as Error)?.stack ?? String(error)}`,
    );
    return 1;
  }
}

/** The error's message; a limit of the core is raised here through the config, not the API. */
function messageOf(error: TwoStepError): string {
  const limit = error instanceof ResourceLimitError ? error.limit : undefined;
  if (limit === undefined || !(limit.key in DEFAULT_CONFIG)) return error.message;
  const flag = limit.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `${limit.problem}, or raise the limit: "${limit.key}": ${limit.size} in ${CONFIG_FILE} (train also takes --${flag} ${limit.size}).`;
}
