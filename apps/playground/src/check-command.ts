/**
 * The worker reads every message through `checkCommand`, so that a bad one becomes an error
 * report naming the field (`speed.epochsPerSecond must be …; it is …`), never a TypeError
 * deep inside training.
 */
import { ConfigError } from '@twostep/core';
import { checker } from '@twostep/core/check';
import { checkChoice } from './config.js';
import type { Command } from './protocol.js';
import { checkSettingsValue, MNIST_PIXELS } from './settings.js';

/** Every type of Command, once (a compile error when one is missing or unknown). */
const TYPES: Record<Command['type'], true> = {
  init: true,
  configure: true,
  run: true,
  pause: true,
  step: true,
  speed: true,
  trace: true,
  export: true,
  import: true,
  predict: true,
};
export const COMMAND_TYPES = Object.keys(TYPES) as Command['type'][];

const problem = (text: string) =>
  new ConfigError(`The page sent the worker a bad command: ${text.replace(/\.$/, '')}.`);

/** `data` as a Command of the protocol, with only its own fields; a ConfigError otherwise. */
export function checkCommand(data: unknown): Command {
  const c = checker(problem);
  const o = c.object(data, 'the command');
  const type = c.oneOf(o.type, 'type', COMMAND_TYPES);
  switch (type) {
    case 'init':
      return {
        type,
        choice: checkChoice(c, o.choice, 'init.choice'),
        digitsUrl: c.string(o.digitsUrl, 'init.digitsUrl'),
      };
    case 'configure': {
      const checked = checkSettingsValue(c, o.settings, 'configure.settings');
      if (checked.ok) return { type, settings: checked.settings };
      const [field, reason] = Object.entries(checked.errors)[0]!;
      throw problem(`configure.settings.${field}: ${reason}`);
    }
    case 'speed': {
      const v = o.epochsPerSecond;
      if (v === null || (typeof v === 'number' && v > 0 && v < Infinity)) {
        return { type, epochsPerSecond: v };
      }
      return c.fail('speed.epochsPerSecond', 'a positive finite number or null', v);
    }
    case 'trace':
      return { type, sample: c.integer(o.sample, 'trace.sample') };
    case 'import':
      return { type, json: c.string(o.json, 'import.json') };
    case 'predict':
      if (o.pixels === undefined) {
        // Any integer: predictTestDigit names the digits that exist.
        return { type, testDigit: c.integer(o.testDigit, 'predict.testDigit', -Infinity) };
      }
      return {
        type,
        pixels: c
          .array(o.pixels, 'predict.pixels', MNIST_PIXELS)
          .map((v, i) => c.number(v, `predict.pixels[${i}]`)),
      };
    default:
      return { type };
  }
}
