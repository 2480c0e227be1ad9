/** The `twostep` command, as a function of its arguments and environment (for tests). */
import { TwoStepError } from '@twostep/core';
import { parseCommandLine, resolveConfig, USAGE } from './config.js';
import { runTraining, type TrainingOptions } from './train.js';

export interface Io {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly importModule?: TrainingOptions['importModule'];
}

const processIo: Io = {
  env: process.env,
  cwd: process.cwd(),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
};

/**
 * Runs `twostep [train] [options]` and resolves to the exit code. Errors go to stderr as
 * `error: <message>`: the library's own errors (TwoStepError) say what to fix, so they come
 * without a stack; anything else is a bug and shows its stack.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const { command, configPath, overrides } = parseCommandLine(argv, io.cwd);
    if (command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    const { config } = await resolveConfig({ configPath, env: io.env, overrides, cwd: io.cwd });
    await runTraining(config, {
      log: io.stdout,
      signal: io.signal,
      ...(io.importModule && { importModule: io.importModule }),
    });
    return 0;
  } catch (error) {
    io.stderr(
      error instanceof TwoStepError
        ? `error: ${error.message}`
        : `error: ${(error as Error)?.stack ?? String(error)}`,
    );
    return 1;
  }
}
