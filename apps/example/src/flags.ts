/** One command's flags: parsed strictly, with -h/--help, and errors that say where help is. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '@twostep/core';
import type { Io } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP; strict: true }>
>['values'];

/**
 * The flags of `twostep <command>`, or undefined once its usage is printed for -h/--help.
 * Node's ERR_PARSE_ARGS_* messages name the flag; the ConfigError adds the command.
 */
export function commandFlags<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  usage: string,
  io: Io,
): Values<O> | undefined {
  let values: Values<O>;
  try {
    values = parseArgs({ args: [...args], options: { ...options, ...HELP }, strict: true }).values;
  } catch (error) {
    throw new ConfigError(
      `${command}: ${(error as Error).message}\nRun 'twostep ${command} --help'.`,
    );
  }
  if ((values as { help?: boolean }).help) {
    io.stdout(usage);
    return undefined;
  }
  return values;
}
