/** JSON given as text, read the same way by every entry point of the package. */
import { ModelFormatError } from '@twostep/core';
import { parseJsonAsWritten } from '@twostep/core/check';

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
