/**
 * @twostep/create-backend: scaffolds a backend package for @twostep/core, ready for the
 * conformance suite (`pnpm create-backend <name>`; the guide is docs/writing-a-backend.md).
 */
export {
  CreateBackendError,
  type CreateBackendOptions,
  type CreatedBackend,
  checkName,
  createBackendPackage,
  MAX_NAME_LENGTH,
} from './create.js';
export { PACKAGES_DIRECTORY, type RunOptions, run } from './main.js';
export { files, type Names, names } from './templates.js';
