/**
 * The command line: the commands, the usage text and the flags of `twostep train`, parsed into
 * config overrides (checked like every other config value, see config.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ACTIVATION_NAMES,
  ConfigError,
  DTYPES,
  LEARNING_MODES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
} from '@twostep/core';
import { shown } from '@twostep/core/check';
import { BACKEND_NAMES } from './backends.js';
import { CHECKS, CONFIG_FILE, type Config, checkText, list } from './config.js';

/** The app's commands; `train` is the default. */
export const COMMANDS = [
  'train',
  'backends',
  'evaluate',
  'predict',
  'report',
  'trace',
  'export',
  'import',
  'help',
] as const;
export type Command = (typeof COMMANDS)[number];

export interface CommandLine {
  readonly command: Command;
  /** `--config`, resolved against the working directory (train). */
  readonly configPath?: string;
  /** Config values from flags (train). */
  readonly overrides: Partial<Config>;
  /** `--learning-rate`, applied to whichever optimizer the config ends up with (train). */
  readonly learningRate?: number;
  /** `--json`: one JSON event per line instead of text (train). */
  readonly json: boolean;
  /** `--resume`: continue from the model's checkpoint (train). */
  readonly resume: boolean;
  /** The arguments after the command, for commands that parse their own (all but train). */
  readonly args: readonly string[];
}

export const USAGE = `Usage: twostep [command] [options]

Commands:
  train              train on MNIST with the two-step rule and save the model (the default)
  backends           list the backends and whether they can run here
  evaluate           accuracy and confusion matrix of a saved model on the test digits
  predict            classify test digits or your own 784-pixel images with a saved model
  report             write an HTML report of the last training run
  trace              print the F-propagation and F-adjoint of a small network, step by step
  export             write a saved model in another format (tfjs-layers, onnx)
  import             convert an ONNX or TensorFlow.js Layers model into a twostep model file
  help               show this help (also: twostep <command> --help)

Options of train:
  --config <path>            config file (default: ./${CONFIG_FILE} when it exists)
  --backend <name>           ${list(BACKEND_NAMES)}, or a backend package (env TWOSTEP_BACKEND)
  --dtype <dtype>            ${list(DTYPES)}, or default: the backend's (env TWOSTEP_DTYPE)
  --threads <n>              threads of the ts backend, counting the main one, or default: the
                             machine's cores, at most 8 (env TWOSTEP_THREADS)
  --architecture <A[…]>      for example A[784,128,10]
  --activation <name>        σ of the hidden layers: ${list(ACTIVATION_NAMES)}
  --loss <name>              ${list(LOSS_NAMES)}
  --optimizer <name>         ${list(OPTIMIZER_NAMES)} (with their default settings)
  --learning-rate <number>   the optimizer's learning rate
  --mode <mode>              ${list(LEARNING_MODES)}
  --batch-size <n>           samples per step
  --epochs <n>               the epoch to stop after
  --seed <n>                 seed of the initial weights and the shuffling
  --model <path>             where to save the model
  --checkpoint-every <n>     write a checkpoint every n epochs (0: never)
  --max-parameters <n>       the most parameters a network may have (default 50,000,000)
  --max-entries <n>          the most entries of one matrix (default 268,435,456)
  --resume                   continue from the model's checkpoint
  --json                     print one JSON event per line
  -h, --help                 show this help

A flag given twice counts once, the last time: a script's flags can be overridden after it.`;

const FLAGS = {
  config: { type: 'string' },
  backend: { type: 'string' },
  dtype: { type: 'string' },
  threads: { type: 'string' },
  architecture: { type: 'string' },
  activation: { type: 'string' },
  loss: { type: 'string' },
  optimizer: { type: 'string' },
  'learning-rate': { type: 'string' },
  mode: { type: 'string' },
  'batch-size': { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'max-parameters': { type: 'string' },
  'max-entries': { type: 'string' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags that set a config key of the same meaning. */
const KEY_FLAGS = {
  backend: 'backend',
  dtype: 'dtype',
  threads: 'threads',
  architecture: 'architecture',
  activation: 'activation',
  loss: 'loss',
  mode: 'mode',
  model: 'model',
  'batch-size': 'batchSize',
  epochs: 'epochs',
  seed: 'seed',
  'checkpoint-every': 'checkpointEvery',
  'max-parameters': 'maxParameters',
  'max-entries': 'maxEntries',
} as const satisfies Partial<Record<keyof typeof FLAGS, keyof Config>>;

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Parses the arguments after `twostep`; unknown flags and commands are ConfigErrors. */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): CommandLine {
  const first = argv[0];
  const none = { overrides: {}, json: false, resume: false, args: [] };
  if (first === '-h' || first === '--help') return { command: 'help', ...none };
  if (first !== undefined && !first.startsWith('-') && first !== 'train') {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new ConfigError(`unknown command "${first}"; the commands are ${list(COMMANDS)}.`);
    }
    return { command: first as Command, ...none, args: argv.slice(1) };
  }
  const args = first === 'train' ? argv.slice(1) : argv;
  const parse = () =>
    parseArgs({
      args: [...args],
      options: FLAGS,
      allowPositionals: true,
      strict: true,
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    // Node's ERR_PARSE_ARGS_* errors already name the flag.
    throw new ConfigError(`${(error as Error).message}\nRun 'twostep --help' for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new ConfigError(`unexpected argument "${positionals[0]}"; see 'twostep --help'.`);
  }
  const overrides: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(KEY_FLAGS)) {
    const text = values[flag as keyof typeof KEY_FLAGS];
    if (text !== undefined) overrides[key] = checkText(key, text, `--${flag}`);
  }
  if (values.optimizer !== undefined) {
    overrides.optimizer = CHECKS.optimizer({ name: values.optimizer }, '--optimizer');
  }
  let learningRate: number | undefined;
  const rate = values['learning-rate'];
  if (rate !== undefined) {
    learningRate = Number(rate);
    const problem =
      NUMBER.test(rate) && !Number.isFinite(learningRate)
        ? `${rate} is beyond the largest number (about 1.8e308).`
        : learningRate === 0 && /[1-9]/.test(rate.split(/e/i)[0]!)
          ? `${rate} is closer to 0 than the smallest positive number (about 5e-324).`
          : !NUMBER.test(rate) || !(learningRate > 0)
            ? `${shown(rate)} is not a positive number.`
            : undefined;
    if (problem) throw new ConfigError(`--learning-rate: ${problem}`);
  }
  if (typeof overrides.model === 'string') overrides.model = resolve(cwd, overrides.model);
  if (values.config === '') {
    throw new ConfigError(
      `--config: "" is not a file path; give a config file such as ${CONFIG_FILE}.`,
    );
  }
  return {
    command: values.help ? 'help' : 'train',
    ...(values.config !== undefined && { configPath: resolve(cwd, values.config) }),
    overrides: overrides as Partial<Config>,
    ...(learningRate !== undefined && { learningRate }),
    json: values.json ?? false,
    resume: values.resume ?? false,
    args,
  };
}
