import { ArchitectureError, formatArchitecture, parseArchitecture } from '@twostep/core';
import { describe, expect, it } from 'vitest';

describe('parseArchitecture', () => {
  it('reads the paper notation A[N0, …, NL] (eq. 17)', () => {
    expect(parseArchitecture('A[784,128,10]')).toEqual([784, 128, 10]);
    expect(parseArchitecture(' A[ 1, 2 ,1 ] ')).toEqual([1, 2, 1]);
    expect(parseArchitecture([4, 3])).toEqual([4, 3]);
    expect(formatArchitecture([1, 2, 1])).toBe('A[1,2,1]');
  });

  it.each([
    ['A[]', /has 0 layers/],
    ['A[3]', /has 1 layer;/],
    ['A[0,3]', /N0 = 0 is not a positive integer/],
    ['A[2,x]', /N1 = 'x' is not a positive integer/],
    ['A[2,-1]', /N1 = '-1'/],
    ['A[2,1.5]', /N1 = '1.5'/],
    ['784,10', /not in the form A\[N0, N1, …, NL\]/],
    ['A[2,,3]', /N1 = ''/],
  ])('rejects %s with a message naming the problem', (text, message) => {
    expect(() => parseArchitecture(text)).toThrow(ArchitectureError);
    expect(() => parseArchitecture(text)).toThrow(message);
  });

  it('rejects arrays with bad widths', () => {
    expect(() => parseArchitecture([2, 0, 1])).toThrow(/N1 = 0/);
    expect(() => parseArchitecture([2, Number.NaN])).toThrow(/N1 = NaN/);
  });
});
