import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

// In Chromium every WebAssembly memory reserves gigabytes of the renderer's address space (V8's
// sandbox holds about a terabyte) until it is collected. A backend dropped before its workers
// started must leave its memory to the collection that finds it unreachable, not to a
// finalizer, which runs only after the current job: the conformance suite makes hundreds.
describe('dropped backends', () => {
  it('leave their memory to the garbage collector, even in a loop that never yields', () => {
    for (let i = 0; i < 400; i++) {
      const k = createBackend({ dtype: 'float32', threads: 3 });
      expect(k.threads).toBe(3);
      k.dispose(k.fill(2, 2, i));
    }
    expect(createBackend({ threads: 3 }).fill(1, 1, 7).data[0]).toBe(7);
  });
});
