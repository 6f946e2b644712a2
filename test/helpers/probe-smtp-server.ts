import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface RecordingSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Every command line the server parsed (`EHLO probe.test`, `STARTTLS`, `QUIT`), in order. */
  readonly commands: string[];
  /** The transaction hooks that fired: MAIL, RCPT, DATA. A probe must leave this empty. */
  readonly transactionHooks: string[];
  close(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on loopback that records every command it parses, through its own
 * debug log, and every mail-transaction hook it runs.
 */
export async function startRecordingSmtpServer(
  options: SMTPServerOptions = {},
  host = '127.0.0.1',
): Promise<RecordingSmtpServer> {
  const commands: string[] = [];
  const transactionHooks: string[] = [];
  const ignore = () => undefined;
  const server = new SMTPServer({
    name: 'recording.test',
    authOptional: true,
    // Without a certificate of the test's own, no STARTTLS (smtp-server's built-in one is public and noisy).
    disabledCommands: options.key === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    // No PTR query for the client address through the machine's resolver.
    disableReverseLookup: true,
    ...options,
    logger: {
      level: ignore,
      trace: ignore,
      info: ignore,
      warn: ignore,
      error: ignore,
      fatal: ignore,
      debug: (entry: { tnx?: string }, _format: string, line: unknown) => {
        if (entry?.tnx === 'command') commands.push(String(line));
      },
    },
    onMailFrom: (address, _session, callback) => {
      transactionHooks.push(`MAIL ${address.address}`);
      callback();
    },
    onRcptTo: (address, _session, callback) => {
      transactionHooks.push(`RCPT ${address.address}`);
      callback();
    },
    onData: (stream, _session, callback) => {
      transactionHooks.push('DATA');
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  // A client that hangs up mid-handshake (a probe without --tls on a TLS-on-connect port) is not the test's failure.
  server.on('error', ignore);
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP server has no TCP address');
  return {
    host,
    port: address.port,
    commands,
    transactionHooks,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
