/**
 * @twostep/backend-tfjs: the Backend contract over TensorFlow.js. Import an entry to get a
 * backend: `@twostep/backend-tfjs/cpu`, `/webgl`, `/webgpu` or `/wasm` (each registers its tfjs
 * backend); this root entry imports none of them, for adapters over other tfjs backends.
 */
export { TfjsBackend } from './backend.js';
export { createTfjsBackend } from './create.js';
export { TfjsMatrix } from './matrix.js';
