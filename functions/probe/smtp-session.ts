import type { Socket } from 'node:net';
import { type SmtpReply, SmtpReplyFormatError, SmtpReplyReader } from './smtp-reply-reader.js';

/** The connection stopped carrying SMTP replies: malformed bytes, a close or reset by the server, a socket error. */
export class SmtpSessionError extends Error {
  readonly kind: 'malformed' | 'closed' | 'reset' | 'socket-error';
  constructor(kind: SmtpSessionError['kind'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SmtpSessionError';
    this.kind = kind;
  }
}

interface ReplyWaiter {
  readonly resolve: (reply: SmtpReply) => void;
  readonly reject: (error: SmtpSessionError) => void;
}

function sessionErrorFor(error: NodeJS.ErrnoException): SmtpSessionError {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
    return new SmtpSessionError('reset', 'the server reset the connection', { cause: error });
  }
  return new SmtpSessionError('socket-error', `socket error: ${error.code ?? error.message}`, { cause: error });
}

/**
 * One SMTP dialogue over a connected socket: replies are queued as they arrive and a malformed one fails the session
 * the moment its bytes are read, even when no command is waiting for it.
 */
export class SmtpSession {
  readonly #socket: Socket;
  readonly #reader = new SmtpReplyReader();
  readonly #replies: SmtpReply[] = [];
  #waiter: ReplyWaiter | undefined;
  #failure: SmtpSessionError | undefined;
  readonly #onData = (chunk: Buffer) => this.#receive(chunk);
  readonly #onEnd = () => this.#fail(this.#closedError());
  readonly #onClose = () => this.#fail(this.#closedError());
  readonly #onError = (error: NodeJS.ErrnoException) => this.#fail(sessionErrorFor(error));

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
  }

  /** The next complete reply, in arrival order. */
  readReply(): Promise<SmtpReply> {
    const queued = this.#replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiter) return Promise.reject(new Error('readReply called while another read is pending'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Sends one command line. */
  send(command: string): void {
    // A server that already hung up gets nothing; the next readReply reports the close.
    if (!this.#socket.writable) return;
    this.#socket.write(`${command}\r\n`);
  }

  /** Stops listening, before the socket is handed to TLS (bytes after a STARTTLS 220 belong to the handshake). */
  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onClose);
    this.#socket.off('error', this.#onError);
  }

  #closedError(): SmtpSessionError {
    const where = this.#reader.isInsideReply ? ' in the middle of a reply' : '';
    return new SmtpSessionError('closed', `the server closed the connection${where}`);
  }

  #receive(chunk: Buffer): void {
    if (this.#failure) return;
    try {
      for (const reply of this.#reader.push(chunk)) this.#deliver(reply);
    } catch (error) {
      if (!(error instanceof SmtpReplyFormatError)) throw error;
      this.#fail(new SmtpSessionError('malformed', error.message, { cause: error }));
      // Nothing more from this server can be trusted or needs reading.
      this.#socket.pause();
    }
  }

  #deliver(reply: SmtpReply): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter.resolve(reply);
    else this.#replies.push(reply);
  }

  #fail(error: SmtpSessionError): void {
    // The first failure is the cause; the close that usually follows a reset adds nothing.
    if (this.#failure) return;
    this.#failure = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
