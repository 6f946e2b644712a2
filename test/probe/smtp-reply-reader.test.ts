import { describe, expect, it } from 'vitest';
import {
  MAX_REPLY_BYTES,
  MAX_REPLY_LINE_BYTES,
  SmtpReplyFormatError,
  SmtpReplyReader,
} from '../../functions/probe/smtp-reply-reader.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('SmtpReplyReader', () => {
  it('assembles a multi-line reply from 250- continuation lines', () => {
    const reader = new SmtpReplyReader();

    const replies = reader.push(bytes('250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n'));

    expect(replies).toEqual([{ code: 250, lines: ['250-mx.test', '250-PIPELINING', '250 STARTTLS'] }]);
  });

  it('accepts bare LF line endings', () => {
    const reader = new SmtpReplyReader();

    const replies = reader.push(bytes('220-first\n220 second\n'));

    expect(replies).toEqual([{ code: 220, lines: ['220-first', '220 second'] }]);
  });

  it('accepts a reply code without text', () => {
    const reader = new SmtpReplyReader();

    expect(reader.push(bytes('250\r\n'))).toEqual([{ code: 250, lines: ['250'] }]);
  });

  it('waits for the rest of a reply split across chunks', () => {
    const reader = new SmtpReplyReader();

    const first = reader.push(bytes('220-mx.te'));
    const second = reader.push(bytes('st\r\n220 rea'));
    const third = reader.push(bytes('dy\r\n'));

    expect([first, second, third]).toEqual([[], [], [{ code: 220, lines: ['220-mx.test', '220 ready'] }]]);
  });

  it('keeps a UTF-8 character cut between two chunks intact', () => {
    const reader = new SmtpReplyReader();
    const greeting = bytes('220 café\r\n');
    const cut = greeting.indexOf(0xc3) + 1;

    reader.push(greeting.subarray(0, cut));
    const replies = reader.push(greeting.subarray(cut));

    expect(replies[0]?.lines).toEqual(['220 café']);
  });

  it('turns invalid UTF-8 into replacement characters instead of failing', () => {
    const reader = new SmtpReplyReader();

    const replies = reader.push(Buffer.from([...bytes('220 '), 0xff, 0xfe, 0xc3, ...bytes(' ok\r\n')]));

    expect(replies[0]?.lines[0]).toBe('220 \uFFFD\uFFFD\uFFFD ok');
  });

  it('returns every reply a chunk completes, in order', () => {
    const reader = new SmtpReplyReader();

    const replies = reader.push(bytes('250 ok\r\n221 bye\r\n'));

    expect(replies.map((reply) => reply.code)).toEqual([250, 221]);
  });

  it('rejects a line that does not start with a reply code', () => {
    const reader = new SmtpReplyReader();

    expect(() => reader.push(bytes('HTTP/1.1 400 Bad Request\r\n'))).toThrow(/not an SMTP reply line: "HTTP\/1.1/);
  });

  it('rejects a reply code outside 2xx-5xx', () => {
    const reader = new SmtpReplyReader();

    expect(() => reader.push(bytes('199 hello\r\n'))).toThrow(SmtpReplyFormatError);
  });

  it('rejects a multi-line reply whose code changes', () => {
    const reader = new SmtpReplyReader();

    expect(() => reader.push(bytes('250-one\r\n251 two\r\n'))).toThrow(/code changed from 250 to 251/);
  });

  it('accepts a line of exactly the maximum length', () => {
    const reader = new SmtpReplyReader();
    const line = `220 ${'x'.repeat(MAX_REPLY_LINE_BYTES - 4)}`;

    expect(reader.push(bytes(`${line}\r\n`))[0]?.lines[0]).toBe(line);
  });

  it('rejects an over-long line as soon as it passes the limit, before any line ending arrives', () => {
    const reader = new SmtpReplyReader();

    expect(() => reader.push(bytes(`220 ${'x'.repeat(MAX_REPLY_LINE_BYTES)}`))).toThrow(/longer than 4096 bytes/);
  });

  it('rejects a line one byte over the limit that ends in a bare LF', () => {
    const reader = new SmtpReplyReader();

    expect(() => reader.push(bytes(`220 ${'x'.repeat(4093)}\n`))).toThrow(/longer than 4096 bytes/);
  });

  it('accepts a reply of exactly 64 KiB, line endings included', () => {
    const reader = new SmtpReplyReader();
    // 64 lines of 1024 bytes each: code, separator, 1018 bytes of text, CRLF.
    const text = 'x'.repeat(1018);

    const replies = reader.push(bytes(`${`250-${text}\r\n`.repeat(63)}250 ${text}\r\n`));

    expect(replies).toHaveLength(1);
    expect(replies[0]?.lines).toHaveLength(64);
  });

  it('rejects a reply longer than 64 KiB', () => {
    const reader = new SmtpReplyReader();
    const line = `250-${'x'.repeat(1000)}\r\n`;
    const lineCount = Math.ceil(MAX_REPLY_BYTES / line.length) + 1;

    expect(() => reader.push(bytes(line.repeat(lineCount)))).toThrow(/longer than 64 KiB/);
  });

  it('knows when the connection would close in the middle of a reply', () => {
    const reader = new SmtpReplyReader();

    reader.push(bytes('220-first line\r\n'));

    expect(reader.isInsideReply).toBe(true);
  });

  it('knows when the connection would close in the middle of the first line', () => {
    const reader = new SmtpReplyReader();

    reader.push(bytes('220 mx.te'));

    expect(reader.isInsideReply).toBe(true);
  });

  it('is not inside a reply before the first byte or after a complete one', () => {
    const reader = new SmtpReplyReader();
    const before = reader.isInsideReply;

    reader.push(bytes('220 ready\r\n'));

    expect([before, reader.isInsideReply]).toEqual([false, false]);
  });
});
