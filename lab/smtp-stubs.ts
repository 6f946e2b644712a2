import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { NamespaceError, spawnInNamespace } from './netns.js';

/**
 * Misbehaving "SMTP servers" the probe must tell apart from Postfix: one accepts and never greets, one greets with
 * 554. Each is a small Node process inside the mail namespace; the script is inline so it runs from any bundle.
 */
export type StubBehaviour = 'silent' | 'reject-554';

const STUB_SCRIPT = `
const net = require('node:net');
const [behaviour, port] = process.argv.slice(1);
const sockets = new Set();
const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  if (behaviour === 'reject-554') {
    socket.write('554 no SMTP service here\\r\\n');
    socket.on('data', (chunk) => {
      if (/^QUIT/im.test(chunk.toString())) socket.end('221 bye\\r\\n');
      else socket.write('503 no SMTP service here\\r\\n');
    });
  }
});
server.listen({ port: Number(port), host: '::', ipv6Only: false }, () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => { for (const socket of sockets) socket.destroy(); server.close(() => process.exit(0)); });
`;

export interface StubServer {
  readonly behaviour: StubBehaviour;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startStubServer(namespace: string, behaviour: StubBehaviour, port: number): Promise<StubServer> {
  const child: ChildProcess = spawnInNamespace(
    namespace,
    [process.execPath, '-e', STUB_SCRIPT, behaviour, String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('listening')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new NamespaceError(`stub SMTP server (${behaviour}) exited with ${code}: ${stderr.trim()}`)),
    );
  });
  await listening;
  return {
    behaviour,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
