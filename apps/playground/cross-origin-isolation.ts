/**
 * The response headers that make the page cross-origin isolated (`crossOriginIsolated` is
 * true), which browsers require before they give a page or its workers SharedArrayBuffer: the
 * ts backend in the training worker needs it to start its own threads. vite.config.ts sends
 * them from the dev and preview servers; a static host must send them with every file it serves
 * (at least the page and the workers' JavaScript). Without them the page still works, on one
 * thread, and its status line says why.
 *
 * `require-corp` blocks cross-origin subresources that do not opt in (with CORS, or a
 * Cross-Origin-Resource-Policy header): everything this page loads is its own (scripts, styles,
 * the `.wasm` files, `mnist-digits.bin`; models come from files the user selects or from
 * IndexedDB), so nothing is blocked.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
