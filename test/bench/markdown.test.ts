import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../bench/markdown.js';

describe('markdownTable', () => {
  it('writes a header, a rule and one line per row', () => {
    expect(markdownTable(['A', 'B'], [[1, 'x']])).toBe('| A | B |\n| --- | --- |\n| 1 | x |');
  });

  it('escapes pipes and folds new lines so a cell stays one cell', () => {
    expect(markdownTable(['A'], [['SMTP OK|time=1\nmore']])).toContain('| SMTP OK\\|time=1 more |');
  });
});
