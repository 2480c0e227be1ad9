/**
 * The command line: `pnpm create-backend <name>` (the root script runs dist/cli.js). Kept apart
 * from the entry point so tests can run it with their own folder and output.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateBackendError, createBackendPackage } from './create.js';

/** The repository's packages/ folder, from src/ or dist/ of tooling/create-backend. */
export const PACKAGES_DIRECTORY = fileURLToPath(new URL('../../../packages/', import.meta.url));

const USAGE = `Usage: pnpm create-backend <name>

Creates packages/backend-<name> (@twostep/backend-<name>): a backend whose every op is a stub,
with the conformance suite already wired, to fill in until the suite is green.
<name> is lowercase letters, digits and dashes, e.g. webgpu or onnx-cpu.
The guide: docs/writing-a-backend.md`;

export interface RunOptions {
  /** Where `backend-<name>` goes (default: the repository's packages/). */
  readonly directory?: string;
  readonly stdout?: (line: string) => void;
  readonly stderr?: (line: string) => void;
}

/** Runs the command with `args` (without node and the script); returns the exit code. */
export function run(args: readonly string[], options: RunOptions = {}): number {
  const {
    directory = PACKAGES_DIRECTORY,
    stdout = (line) => console.log(line),
    stderr = (line) => console.error(line),
  } = options;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    stderr(`create-backend: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (parsed.values.help) {
    stdout(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    stderr(
      `create-backend: expected one name, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}.\n\n${USAGE}`,
    );
    return 1;
  }
  try {
    const created = createBackendPackage({ name: parsed.positionals[0] ?? '', directory });
    const where = relative(process.cwd(), created.directory) || created.directory;
    stdout(
      [
        `Created ${created.packageName} in ${where}:`,
        ...created.files.map((file) => `  ${file}`),
        '',
        'Next steps:',
        '  pnpm install                  link it into the workspace (adds it to pnpm-lock.yaml)',
        `  pnpm --filter ${created.packageName} test`,
        '                                run the conformance suite: each failure names a missing op',
        `  ${where}/src/index.ts`,
        '                                write the ops, following docs/writing-a-backend.md',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof CreateBackendError) {
      stderr(`create-backend: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
}
