import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../functions/shared/command-line/table.js';

describe('formatTable', () => {
  it('prints every header in upper case, whatever case its caller used', () => {
    const table = formatTable(['target', 'Connect ms'], [['mx', 12]]);

    expect(table.split('\n')[0]).toBe('TARGET  CONNECT MS');
  });

  it('aligns columns and shows a missing cell as a dash', () => {
    expect(formatTable(['A', 'B', 'C'], [['long-cell', null, 'x']])).toBe('A          B  C\nlong-cell  -  x\n');
  });

  it('writes a multi-line cell on one line, each line break and the blanks around it as one ⏎', () => {
    expect(formatTable(['Greeting'], [['220 mx  \n  ESMTP\nready']])).toBe('GREETING\n220 mx ⏎ ESMTP ⏎ ready\n');
  });

  it('ends no line with blanks when its last cell is empty', () => {
    expect(formatTable(['Target', 'Detail'], [['mx', '']])).toBe('TARGET  DETAIL\nmx\n');
  });
});
