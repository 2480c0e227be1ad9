/** What a command gets from its caller: environment, working folder, output and the rest. */
import type { Backends } from '@twostep/core';
import type { Terminal } from './progress.js';

export interface Io {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Writes one line of output. */
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Present when stdout is a terminal: `train` draws its progress bar there. */
  readonly terminal?: Terminal;
  readonly signal?: AbortSignal;
  /** The backends to pick from (default: those this app ships). */
  readonly backends?: Backends;
}
