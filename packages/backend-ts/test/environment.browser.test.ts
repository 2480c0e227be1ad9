import { describe, expect, it } from 'vitest';

// A `*.browser.test.ts` file runs only in the `chromium` project (see vitest.config.ts): proves that project's tests,
// the conformance suite among them, execute in a real Chromium and not in Node.
describe('browser environment', () => {
  it('is a Chromium page, not Node', () => {
    expect(typeof window).toBe('object');
    expect(typeof document.createElement).toBe('function');
    expect(navigator.userAgent).toContain('Chrome');
    expect((globalThis as { process?: unknown }).process).toBeUndefined();
  });
});
