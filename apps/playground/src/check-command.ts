/**
 * The worker reads every message through `checkCommand`, so that a bad one becomes an error
 * report naming the field (`speed.epochsPerSecond must be …; it is …`), never a TypeError
 * deep inside training.
 */
import { ConfigError } from '@twostep/core';
import { type Checker, checker } from '@twostep/core/check';
import { checkChoice } from './config.js';
import { type Command, EXPORT_FORMATS, type ModelFile } from './protocol.js';
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
  save: true,
  load: true,
  predict: true,
  drawn: true,
};
export const COMMAND_TYPES = Object.keys(TYPES) as Command['type'][];

const problem = (text: string) =>
  new ConfigError(`The page sent the worker a bad command: ${text.replace(/\.$/, '')}.`);

/** A file of an import: its name, and its text or its bytes (not both). */
function checkFile(c: Checker, value: unknown, field: string): ModelFile {
  const f = c.object(value, field);
  const name = c.string(f.name, `${field}.name`);
  if (f.bytes === undefined) return { name, text: c.string(f.text, `${field}.text`) };
  if (!(f.bytes instanceof Uint8Array)) return c.fail(`${field}.bytes`, 'a Uint8Array', f.bytes);
  if (f.text !== undefined) throw problem(`${field} must hold text or bytes; it holds both`);
  return { name, bytes: f.bytes };
}

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
    case 'export':
      return { type, format: c.oneOf(o.format, 'export.format', EXPORT_FORMATS) };
    case 'import':
      return {
        type,
        files: c
          .array(o.files, 'import.files')
          .map((f, i) => checkFile(c, f, `import.files[${i}]`)),
      };
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
