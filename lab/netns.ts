import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * Network-namespace primitives for the lab, the benchmarks and the tests that need a real packet filter.
 * Every address lives inside namespaces made here; veth pairs are created with both ends inside them, so nothing made
 * here is reachable from, or routes to, the machine's own network.
 */

const execFileAsync = promisify(execFile);

export class NamespaceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NamespaceError';
  }
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, throwing NamespaceError with its stderr when it fails. */
export async function run(argv: readonly string[], input?: string): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new NamespaceError('empty command');
  try {
    if (input === undefined) return await execFileAsync(file, args, { encoding: 'utf8' });
    return await new Promise<CommandResult>((resolve, reject) => {
      const child = execFile(file, args, { encoding: 'utf8' }, (error, stdout, stderr) =>
        error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr }),
      );
      child.stdin?.end(input);
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim();
    throw new NamespaceError(`${argv.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause });
  }
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run(['ip', '-j', 'netns', 'list']);
  if (stdout.trim() === '') return [];
  return (JSON.parse(stdout) as { name: string }[]).map((entry) => entry.name);
}

/** Kills every process in the namespace, then deletes it and its /etc/netns files. Missing namespaces are fine. */
export async function deleteNamespace(name: string): Promise<void> {
  if ((await listNamespaces()).includes(name)) {
    const { stdout } = await run(['ip', 'netns', 'pids', name]);
    for (const pid of stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    await run(['ip', 'netns', 'delete', name]);
  }
  await rm(`/etc/netns/${name}`, { recursive: true, force: true });
}

/** Deletes every namespace whose name starts with `prefix` (leftovers of a crashed run). */
export async function deleteNamespacesWithPrefix(prefix: string): Promise<string[]> {
  const leftovers = (await listNamespaces()).filter((name) => name.startsWith(prefix));
  for (const name of leftovers) await deleteNamespace(name);
  return leftovers;
}

/** Creates a namespace with loopback up; a leftover of the same name is removed first. */
export async function createNamespace(name: string, hosts: Readonly<Record<string, string>> = {}): Promise<void> {
  await deleteNamespace(name);
  await run(['ip', 'netns', 'add', name]);
  await inNamespace(name, ['ip', 'link', 'set', 'lo', 'up']);
  // IPv6 on even where the host (a container) disables it; no duplicate address detection, so IPv6 addresses, link-local
  // ones included, are usable the moment they are added.
  await inNamespace(name, [
    'sysctl',
    '-qw',
    'net.ipv6.conf.all.disable_ipv6=0',
    'net.ipv6.conf.default.disable_ipv6=0',
    'net.ipv6.conf.all.accept_dad=0',
    'net.ipv6.conf.default.accept_dad=0',
  ]);
  // `ip netns exec` bind-mounts these over their /etc twins: lab names never reach the machine's resolver.
  await mkdir(`/etc/netns/${name}`, { recursive: true });
  const hostLines = Object.entries(hosts).map(([host, address]) => `${address}\t${host}`);
  await writeFile(`/etc/netns/${name}/hosts`, ['127.0.0.1\tlocalhost', '::1\tlocalhost', ...hostLines, ''].join('\n'));
  // Without this, a host whose nsswitch asks systemd-resolved would send unknown lab names to the real resolver.
  await writeFile(`/etc/netns/${name}/nsswitch.conf`, 'hosts: files dns\n');
  await writeFile(
    `/etc/netns/${name}/resolv.conf`,
    '# lab namespace: no DNS server\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n',
  );
}

export function inNamespace(namespace: string, argv: readonly string[], input?: string): Promise<CommandResult> {
  return run(['ip', 'netns', 'exec', namespace, ...argv], input);
}

export function spawnInNamespace(namespace: string, argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', namespace, ...argv], options);
}

export interface VethEnd {
  readonly namespace: string;
  readonly name: string;
  /** CIDR notation, v4 or v6, e.g. 10.42.0.10/16 or fd42::10/64. */
  readonly addresses: readonly string[];
}

/** Connects two namespaces with a veth pair, both ends inside them, addresses assigned and links up. */
export async function connect(a: VethEnd, b: VethEnd): Promise<void> {
  await run([
    'ip',
    'link',
    'add',
    a.name,
    'netns',
    a.namespace,
    'type',
    'veth',
    'peer',
    'name',
    b.name,
    'netns',
    b.namespace,
  ]);
  for (const end of [a, b]) {
    for (const address of end.addresses) {
      await inNamespace(end.namespace, ['ip', 'addr', 'add', address, 'dev', end.name]);
    }
    await inNamespace(end.namespace, ['ip', 'link', 'set', end.name, 'up']);
  }
  for (const end of [a, b]) await waitForLinkUp(end);
}

async function waitForLinkUp(end: VethEnd, deadlineMs = 5_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    const { stdout } = await inNamespace(end.namespace, ['ip', '-j', 'link', 'show', 'dev', end.name]);
    if ((JSON.parse(stdout) as { operstate?: string }[])[0]?.operstate === 'UP') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new NamespaceError(`link ${end.name} in ${end.namespace} did not come up within ${deadlineMs} ms`);
}

/** Adds an address to a namespace's loopback (a host address the namespace answers on). */
export async function addLoopbackAddress(namespace: string, address: string): Promise<void> {
  await inNamespace(namespace, ['ip', 'addr', 'add', address, 'dev', 'lo']);
}

export async function addRoute(namespace: string, destination: string, via: string): Promise<void> {
  const family = via.includes(':') ? '-6' : '-4';
  await inNamespace(namespace, ['ip', family, 'route', 'add', destination, 'via', via]);
}

export async function enableForwarding(namespace: string): Promise<void> {
  await inNamespace(namespace, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
}

/** Loads an nftables ruleset into the namespace (its tables die with the namespace). */
export async function applyNftables(namespace: string, ruleset: string): Promise<void> {
  await inNamespace(namespace, ['nft', '-f', '-'], ruleset);
}

export async function deleteNftTable(namespace: string, family: string, table: string): Promise<void> {
  await inNamespace(namespace, ['nft', 'delete', 'table', family, table]);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The nftables tables of a namespace as `family name` pairs. */
export async function listNftTables(namespace: string): Promise<{ family: string; name: string }[]> {
  const { stdout } = await inNamespace(namespace, ['nft', '-j', 'list', 'tables']);
  const entries = (JSON.parse(stdout) as { nftables?: { table?: { family: string; name: string } }[] }).nftables ?? [];
  return entries.flatMap((entry) => (entry.table ? [{ family: entry.table.family, name: entry.table.name }] : []));
}
