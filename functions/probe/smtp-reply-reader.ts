/** Longest reply line accepted, line ending excluded (RFC 5321 allows 512 octets; real servers stay far below 4 KiB). */
export const MAX_REPLY_LINE_BYTES = 4096;
/** Longest whole reply accepted, line endings included. */
export const MAX_REPLY_BYTES = 64 * 1024;

export interface SmtpReply {
  readonly code: number;
  /** Every line of the reply as received, code included, line ending removed. */
  readonly lines: readonly string[];
}

/** Bytes that are not an SMTP reply: a line that does not start with a reply code, mixed codes, or too much data. */
export class SmtpReplyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmtpReplyFormatError';
  }
}

const LF = 0x0a;
const CR = 0x0d;
const REPLY_LINE = /^([2-5][0-9][0-9])([ -]|$)/;

/** A reply line quoted for an error message: bounded, with control characters visible. */
export function quoteReplyText(text: string, maxLength = 120): string {
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return JSON.stringify(clipped);
}

/** The reply as one line for messages: `554 no SMTP service here`, continuation lines joined by ` / `. */
export function describeReply(reply: SmtpReply): string {
  return quoteReplyText(reply.lines.join(' / '), 200);
}

/**
 * Splits a byte stream into SMTP replies (RFC 5321 4.2): lines end in CRLF or a bare LF, `250-` continues a reply and
 * `250 ` (or a bare `250`) ends it. Bytes are split before decoding, so a multi-byte character cut between two chunks
 * survives and invalid UTF-8 becomes U+FFFD instead of an exception.
 */
export class SmtpReplyReader {
  #partialLine: Buffer[] = [];
  #partialLineBytes = 0;
  #lines: string[] = [];
  #code: number | undefined;
  #replyBytes = 0;

  /** Feeds received bytes; returns the replies they complete. Throws SmtpReplyFormatError on the first bad byte. */
  push(chunk: Buffer): SmtpReply[] {
    const replies: SmtpReply[] = [];
    let offset = 0;
    // Stryker disable next-line EqualityOperator: equivalent, one more turn at the end of a chunk adds an empty piece to the line
    while (offset < chunk.length) {
      const lineFeed = chunk.indexOf(LF, offset);
      const end = lineFeed === -1 ? chunk.length : lineFeed;
      this.#partialLine.push(chunk.subarray(offset, end));
      this.#partialLineBytes += end - offset;
      // One spare byte: a line of exactly the limit may still be followed by its CR.
      if (this.#partialLineBytes > MAX_REPLY_LINE_BYTES + 1) {
        throw new SmtpReplyFormatError(`reply line longer than ${MAX_REPLY_LINE_BYTES} bytes`);
      }
      if (lineFeed === -1) break;
      const reply = this.#completeLine();
      if (reply) replies.push(reply);
      offset = lineFeed + 1;
    }
    return replies;
  }

  /** True while a reply has started but not ended, e.g. when the connection closes in the middle of one. */
  get isInsideReply(): boolean {
    return this.#lines.length > 0 || this.#partialLineBytes > 0;
  }

  #completeLine(): SmtpReply | undefined {
    let bytes = Buffer.concat(this.#partialLine, this.#partialLineBytes);
    this.#partialLine = [];
    this.#partialLineBytes = 0;
    this.#replyBytes += bytes.length + 1;
    if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    if (bytes.length > MAX_REPLY_LINE_BYTES) {
      throw new SmtpReplyFormatError(`reply line longer than ${MAX_REPLY_LINE_BYTES} bytes`);
    }
    if (this.#replyBytes > MAX_REPLY_BYTES) {
      throw new SmtpReplyFormatError(`reply longer than ${MAX_REPLY_BYTES / 1024} KiB`);
    }
    const line = bytes.toString('utf8');
    const match = REPLY_LINE.exec(line);
    if (!match) throw new SmtpReplyFormatError(`not an SMTP reply line: ${quoteReplyText(line)}`);
    const code = Number(match[1]);
    if (this.#code !== undefined && code !== this.#code) {
      throw new SmtpReplyFormatError(`reply code changed from ${this.#code} to ${code} inside one multi-line reply`);
    }
    this.#code = code;
    this.#lines.push(line);
    if (match[2] === '-') return undefined;
    const reply: SmtpReply = { code, lines: this.#lines };
    this.#lines = [];
    this.#code = undefined;
    this.#replyBytes = 0;
    return reply;
  }
}
