import { dispose, keep, TwoStepError, tidy, tracked } from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { describe, expect, it } from 'vitest';

describe('tidy', () => {
  const raw = referenceBackend();
  const k = tracked(raw);
  const live = () => raw.memory().matrices;

  it('disposes temporaries and keeps what the callback returns, nested', () => {
    const before = live();
    const kept = tidy(raw, () => {
      const a = k.fill(2, 2, 1);
      const inner = tidy(raw, () => {
        const b = k.add(a, a);
        return { b, list: [k.scale(b, 2)] };
      });
      k.mul(inner.b, inner.b); // a temporary of the outer scope
      return inner.list[0]!;
    });
    expect(live()).toBe(before + 1);
    expect(Array.from(raw.readSync!(kept))).toEqual([4, 4, 4, 4]);
    raw.dispose(kept);
    expect(live()).toBe(before);
  });

  it('ends the scope on error too', () => {
    const before = live();
    expect(() =>
      tidy(raw, () => {
        k.fill(3, 3, 0);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(live()).toBe(before);
  });

  it('refuses a Promise', () => {
    const before = live();
    expect(() => tidy(raw, (async () => k.fill(1, 1, 0)) as never)).toThrow(TwoStepError);
    expect(() => tidy(raw, (async () => 1) as never)).toThrow(/returned a Promise/);
    expect(live()).toBe(before);
  });

  it('keep lets a matrix outlive the scope; dispose frees nested values', () => {
    const before = live();
    let held: ReturnType<typeof k.fill> | undefined;
    tidy(raw, () => {
      held = keep(raw, k.fill(1, 2, 5));
    });
    expect(live()).toBe(before + 1);
    dispose(raw, { held: [held] });
    expect(live()).toBe(before);
    expect(held!.isDisposed).toBe(true);
  });
});
