/**
 * `@twostep/core/check`: the checker the core reads model files with, for apps that read their
 * own JSON (configs, checkpoints, messages) and want the same errors: the field's path, the
 * value as written, what is allowed; the check of an options object's keys (a misspelt key
 * named, with the closest one); and the check that values fit a float32 backend.
 */
export { firstOverflow, type OverflowWording, overflowError } from './data.js';
export {
  type Checker,
  checker,
  type Fields,
  Overflow,
  parseJsonAsWritten,
  shown,
} from './json.js';
export { checkKeys } from './options.js';
