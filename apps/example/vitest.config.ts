import shared from '../../vitest.shared.ts';

// Tests read @twostep/core and @twostep/backend-ts from their src/ (the shared config's
// `@twostep/source` condition), including the backend that loadBackend imports at run time.
export default shared;
