/** Child processes of the harness: the workers (cli.ts) and Python for the PyTorch peer. */
import { spawn } from 'node:child_process';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from start to exit. */
  readonly seconds: number;
}

/**
 * Runs `command …args` to its end and collects its output; undefined when there is no such
 * command (so a caller can try the next interpreter). `timeout`: milliseconds before SIGTERM.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  timeout?: number,
): Promise<Exit | undefined> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? done(undefined) : fail(error),
    );
    child.on('close', (code, signal) =>
      done({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

/** The last line of a process's output (where a worker or pytorch.py prints its JSON). */
export const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';
