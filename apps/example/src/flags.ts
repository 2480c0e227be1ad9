/** One command's flags: parsed strictly, with -h/--help, and errors that say where help is. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '@twostep/core';
import type { Io } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP; strict: true }>
>['values'];

type Parsed<O extends Options> = { values: Values<O>; positionals: string[] };

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
  return parse(command, args, options, usage, io, false)?.values;
}

/** As `commandFlags`, with the arguments that are no flags (`twostep import <file>`). */
export function commandArgs<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  usage: string,
  io: Io,
): Parsed<O> | undefined {
  return parse(command, args, options, usage, io, true);
}

function parse<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  usage: string,
  io: Io,
  allowPositionals: boolean,
): Parsed<O> | undefined {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, ...HELP },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    throw new ConfigError(
      `${command}: ${(error as Error).message}\nRun 'twostep ${command} --help'.`,
    );
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage);
    return undefined;
  }
  return parsed;
}
