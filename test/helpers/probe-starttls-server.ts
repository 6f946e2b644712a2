import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { answerCommands, type RawServer, startRawServer } from './probe-raw-server.js';

export interface StarttlsServerOptions {
  /** PEM key and certificate the server presents after STARTTLS. */
  readonly key: string;
  readonly cert: string;
  /** The reply to EHLO over TLS; `repliesOverTls` adds or overrides the reply to other commands, as answerCommands does. */
  readonly ehloOverTls?: string;
  readonly repliesOverTls?: Readonly<Record<string, string>>;
}

/**
 * A bare TCP server on loopback that greets, offers STARTTLS, answers it with 220 and then runs the TLS handshake: the
 * servers that misbehave only once the dialogue is encrypted. Lines received before STARTTLS are in `received`.
 */
export function startStarttlsServer(options: StarttlsServerOptions, host = '127.0.0.1'): Promise<RawServer> {
  return startRawServer((socket: Socket) => {
    socket.write('220 starttls.test ESMTP\r\n');
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let lineEnd = buffered.indexOf('\n');
      while (lineEnd !== -1) {
        const command = buffered.slice(0, lineEnd).replace(/\r$/, '').toUpperCase();
        buffered = buffered.slice(lineEnd + 1);
        if (command === 'STARTTLS') {
          socket.off('data', onData);
          socket.write('220 go ahead\r\n');
          const secure = new TLSSocket(socket, { isServer: true, key: options.key, cert: options.cert });
          // A probe that hangs up first must not crash the test process.
          secure.on('error', () => undefined);
          answerCommands(secure, options.ehloOverTls, options.repliesOverTls);
          return;
        }
        socket.write(command.startsWith('EHLO') ? '250-starttls.test\r\n250 STARTTLS\r\n' : '502 not here\r\n');
        lineEnd = buffered.indexOf('\n');
      }
    };
    socket.on('data', onData);
  }, host);
}
