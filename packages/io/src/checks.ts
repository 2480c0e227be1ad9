/** Checks every entry point of the package shares: options objects and JSON given as text. */
import { ConfigError, ModelFormatError } from '@twostep/core';
import { parseJsonAsWritten, shown } from '@twostep/core/check';

/**
 * Throws a ConfigError when `options` is not an object, or for its first key that is not in
 * `known`; `where` names the function.
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(
      `${where}: options must be an object such as { ${known[0]}: … }; it is ${shown(options)}. Leave them out for the defaults.`,
    );
  }
  const unknown = Object.keys(options).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(
      `${where}: unknown option ${shown(unknown)}; the options are ${known.join(', ')}.`,
    );
  }
}

/**
 * `value` itself, or parsed when it is JSON text (numbers too large for a double kept as
 * written); text that is not JSON is a ModelFormatError of `what` (`TensorFlow.js Layers model`)
 * at `$`.
 */
export function jsonOf(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  return parseJsonAsWritten(value, (reason) => {
    const why = `is not valid JSON (${reason}); the file is damaged or of another kind`;
    return new ModelFormatError(`${what}: $ ${why}.`, '$', why);
  });
}
