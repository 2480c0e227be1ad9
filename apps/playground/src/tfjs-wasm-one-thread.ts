/**
 * Keeps tfjs-wasm on its one-thread SIMD build. In a cross-origin isolated page (which the page
 * is, for ts's threads) tfjs-backend-wasm 4.22 picks its threaded build, whose workers run the
 * source text of one of its functions (`Function.prototype.toString`): once bundled, that text
 * refers to names the bundler renamed ("e is not defined"), and the backend never starts.
 * Imported only when tfjs-wasm is chosen; importing tfjs-backend-wasm registers the flag (the
 * backend's entry imports it too).
 */
import '@tensorflow/tfjs-backend-wasm';
import { env } from '@tensorflow/tfjs-core';

export function tfjsWasmOnOneThread(): void {
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
