import { createServer } from 'node:net';
import { answerCommands } from './probe-raw-server.js';

/**
 * A minimal SMTP responder run as its own process inside a test namespace:
 * `node --import tsx test/helpers/probe-smtp-responder.ts PORT...`. Listens on every address of the namespace (IPv4 and
 * IPv6) on each port, greets, answers EHLO and QUIT, and prints `listening` once all ports are bound.
 */
const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || ports.some((port) => !Number.isInteger(port))) {
  process.stderr.write('usage: probe-smtp-responder.ts PORT...\n');
  process.exit(2);
}

await Promise.all(
  ports.map(
    (port) =>
      new Promise<void>((resolve, reject) => {
        const server = createServer((socket) => {
          socket.on('error', () => undefined);
          socket.write('220 responder.p25probe.test ESMTP\r\n');
          answerCommands(socket, '250-responder.p25probe.test\r\n250 PIPELINING\r\n');
        });
        server.once('error', reject);
        server.listen({ port, host: '::', ipv6Only: false }, () => resolve());
      }),
  ),
);
process.stdout.write('listening\n');
