import { describe, expect, it } from 'vitest';
import { chunk } from '../../functions/shared/chunk.js';

describe('chunk', () => {
  it('splits into slices of at most the size, the last one shorter', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('makes no empty slice when the items fill the last one exactly', () => {
    expect(chunk([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('makes no slice at all of no items', () => {
    expect(chunk([], 100)).toEqual([]);
  });
});
