import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** A loopback port whose SYNs are dropped: a connect to it times out, as AWS's throttle makes it, without root. */
export interface DroppingPort {
  readonly port: number;
  close(): Promise<void>;
}

// A listener with a one-connection backlog in a process that never accepts (its event loop is blocked at once): once
// the accept queue is full, Linux drops every further SYN to the port, so a connect neither completes nor is refused.
const LISTENER = `const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n', () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (;;) Atomics.wait(cell, 0, 0);
  });
});`;

const FILLERS = 4;

export async function startDroppingPort(): Promise<DroppingPort> {
  const child: ChildProcess = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString('utf8').trim())));
  });
  const fillers: Socket[] = [];
  for (let index = 0; index < FILLERS; index += 1) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
  }
  // The fillers' handshakes complete (or are dropped) within milliseconds on loopback.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
