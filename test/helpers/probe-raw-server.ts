import { createServer, type Server, type Socket } from 'node:net';

export interface RawServer {
  readonly host: string;
  readonly port: number;
  /** Every line the server received, in order, across connections. */
  readonly received: string[];
  close(): Promise<void>;
}

/**
 * A bare TCP server on loopback (ephemeral port) whose behaviour per connection is a script: the SMTP servers that
 * misbehave in ways a real SMTP library never would.
 */
export async function startRawServer(
  onConnection: (socket: Socket, received: string[]) => void,
  host = '127.0.0.1',
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A probe that hangs up first must not crash the test process.
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      received.push(...lines.map((line) => line.replace(/\r$/, '')));
    });
    onConnection(socket, received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    host,
    port: address.port,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers each command line the way a minimal SMTP server does (EHLO 250 multi-line, QUIT 221 and close); `replies`
 * adds or overrides the reply to a command, by its upper-case first word.
 */
export function answerCommands(
  socket: Socket,
  ehloReply = '250-raw.test\r\n250 PIPELINING\r\n',
  replies: Readonly<Record<string, string>> = {},
): void {
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let lineEnd = buffered.indexOf('\n');
    while (lineEnd !== -1) {
      const command = buffered.slice(0, lineEnd).replace(/\r$/, '').toUpperCase();
      buffered = buffered.slice(lineEnd + 1);
      const reply = replies[command.split(' ')[0] ?? ''];
      if (reply !== undefined) socket.write(reply);
      else if (command.startsWith('EHLO')) socket.write(ehloReply);
      else if (command === 'QUIT') socket.end('221 bye\r\n');
      else socket.write('502 not here\r\n');
      lineEnd = buffered.indexOf('\n');
    }
  });
}

/** A loopback port nothing listens on: bound, then released, so a connect to it is refused. */
export async function closedLoopbackPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}
