import { describe, expect, it } from 'vitest';
import {
  describeReply,
  quoteReplyText,
  SmtpReplyFormatError,
  SmtpReplyReader,
} from '../../functions/probe/smtp-reply-reader.js';

describe('quoteReplyText', () => {
  it('quotes a short line whole, with control characters visible', () => {
    expect(quoteReplyText('554 go\taway')).toBe('"554 go\\taway"');
  });

  it('keeps a line of exactly the limit whole', () => {
    expect(quoteReplyText('x'.repeat(10), 10)).toBe(`"${'x'.repeat(10)}"`);
  });

  it('clips a longer line at the limit and marks the cut', () => {
    expect(quoteReplyText('x'.repeat(11), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });

  it('clips at 120 characters by default', () => {
    expect(quoteReplyText('y'.repeat(121))).toBe(`"${'y'.repeat(120)}…"`);
  });
});

describe('describeReply', () => {
  it('joins the lines of a multi-line reply with " / " and clips at 200 characters', () => {
    expect(describeReply({ code: 554, lines: ['554-no', '554 service'] })).toBe('"554-no / 554 service"');
    expect(describeReply({ code: 250, lines: [`250 ${'z'.repeat(300)}`] })).toBe(`"250 ${'z'.repeat(196)}…"`);
  });
});

describe('SmtpReplyFormatError', () => {
  it('names itself and says what was wrong', () => {
    const error = (() => {
      try {
        new SmtpReplyReader().push(Buffer.from('hello\r\n'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(SmtpReplyFormatError);
    expect(error).toMatchObject({ name: 'SmtpReplyFormatError', message: 'not an SMTP reply line: "hello"' });
  });
});
