import { checkShape, ShapeError } from '@twostep/core';
import { expect, it } from 'vitest';

it('resolves core src', () => {
  expect(() => checkShape('x', 0, 1)).toThrow(ShapeError);
});
