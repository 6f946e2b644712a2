import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalVpcSpec } from './local-aws/ec2.js';
import {
  addLoopbackAddress,
  addRoute,
  applyNftables,
  connect,
  createNamespace,
  deleteNamespace,
  deleteNamespacesWithPrefix,
  deleteNftTable,
  listNftTables,
} from './netns.js';
import { mailHostsRuleset, THROTTLE_TABLE, throttleRuleset } from './packet-filter.js';
import { createSelfSignedCertificate, type PostfixInstance, startPostfix } from './postfix.js';
import { type StubServer, startStubServer } from './smtp-stubs.js';
import { Teardown } from './teardown.js';

/**
 * The lab's network: a "VPC" namespace where the probe runs, behind an egress filter that behaves like AWS's port-25
 * throttle, and a mail namespace (its only way out) holding every server the probe talks to. No veth end lives in the
 * root namespace, so nothing here can reach, or be reached from, the machine's own network.
 */

export const DEFAULT_LAB_PREFIX = 'p25lab-';

export type LabServerName =
  | 'serverA'
  | 'serverB'
  | 'serverB6'
  | 'serverUla6'
  | 'serverSecondary'
  | 'resetControl'
  | 'droppedControl'
  | 'darkPublic'
  | 'unreachable'
  | 'silent'
  | 'reject554';

export interface LabServer {
  readonly address: string;
  readonly hostname: string;
  readonly description: string;
}

export const LAB_NETWORK = {
  vpcPrimaryCidr: '10.42.0.0/16',
  /**
   * A secondary CIDR of the lab's VPC, from the benchmarking range (RFC 2544, outside RFC 1918/6598): AWS does not
   * exempt it, so the throttle (which exempts the primary CIDR only) drops port 25 to the server in it.
   */
  vpcSecondaryCidr: '198.18.42.0/24',
  /** The VPC namespace's IPv6 block, as EC2 would associate one (the probe's /64 lies in it). */
  vpcIpv6Cidr: '2001:db8:42::/56',
  probeAddress: '10.42.0.10',
  probeAddress6: '2001:db8:42::10',
  gateway: '10.42.0.1',
  gateway6: '2001:db8:42::1',
  /** smtpd listens here too: the probe's control port, which the throttle leaves alone. */
  submissionPort: 587,
} as const;

export const LAB_SERVERS: Readonly<Record<LabServerName, LabServer>> = {
  serverA: { address: '172.16.0.4', hostname: 'mail-a.lab.invalid', description: 'Postfix, RFC 1918' },
  serverB: { address: '198.51.100.25', hostname: 'mail-b.lab.invalid', description: 'Postfix, public IPv4' },
  serverB6: { address: '2001:db8:25::25', hostname: 'mail-b6.lab.invalid', description: 'Postfix, public IPv6' },
  serverUla6: { address: 'fd25:25::4', hostname: 'mail-ula.lab.invalid', description: 'Postfix, RFC 4193 IPv6' },
  serverSecondary: {
    address: '198.18.42.25',
    hostname: 'mail-secondary.lab.invalid',
    description: "Postfix, the VPC's secondary CIDR (not exempt)",
  },
  resetControl: { address: '10.99.0.11', hostname: 'reset.lab.invalid', description: 'answers SYN with RST' },
  droppedControl: {
    address: '10.99.0.12',
    hostname: 'sg-drop.lab.invalid',
    description: 'security group drops every port',
  },
  darkPublic: {
    address: '198.51.100.66',
    hostname: 'dark.lab.invalid',
    description: 'public, dropped on every port: a dead path the throttle cannot be told from',
  },
  unreachable: {
    address: '10.99.0.13',
    hostname: 'unreachable.lab.invalid',
    description: 'ICMP host unreachable',
  },
  silent: { address: '10.99.0.14', hostname: 'silent.lab.invalid', description: 'accepts, never greets' },
  reject554: { address: '10.99.0.15', hostname: 'reject554.lab.invalid', description: 'greets 554' },
};

/**
 * The lab's VPC as the local EC2 reports it: the primary CIDR (exempt), a secondary CIDR with a mail server in it
 * (not exempt), the IPv6 block, and the given subnets.
 */
export function labVpcSpec(
  vpcId: string,
  subnets: LocalVpcSpec['subnets'],
  primaryCidr: string = LAB_NETWORK.vpcPrimaryCidr,
): LocalVpcSpec {
  return {
    vpcId,
    primaryCidr,
    secondaryCidrs: [LAB_NETWORK.vpcSecondaryCidr],
    ipv6Cidrs: [LAB_NETWORK.vpcIpv6Cidr],
    subnets,
  };
}

const STUB_PORTS = { silent: 2514, reject554: 2515 } as const;

export interface LabTopology {
  readonly prefix: string;
  readonly namespaces: { readonly vpc: string; readonly mail: string };
  readonly vpcPrimaryCidr: string;
  readonly probeAddress: string;
  readonly servers: Readonly<Record<LabServerName, LabServer>>;
  readonly postfix: PostfixInstance;
  /** Scratch directory of this topology (Postfix instance, certificates; free for the caller's files too), mode 755. */
  readonly workDirectory: string;
  /** What a crashed earlier run had left behind and was removed first. */
  readonly leftoversRemoved: readonly string[];
  /** AWS's port-25 throttle on the VPC namespace's egress. */
  readonly throttle: {
    readonly table: typeof THROTTLE_TABLE;
    apply(): Promise<void>;
    /** The restriction is lifted: the throttle table is removed. */
    lift(): Promise<void>;
    isActive(): Promise<boolean>;
  };
  /** Stops every process, deletes the namespaces (and with them their nftables tables) and the work directory. */
  destroy(): Promise<void>;
}

export interface LabTopologyOptions {
  /** Offer STARTTLS with a self-signed certificate (needs the openssl command). Default true. */
  readonly tls?: boolean;
  /** Start the non-Postfix stub servers (silent, 554). Default true. */
  readonly stubServers?: boolean;
}

const workDirectoryPrefix = (prefix: string) => `${prefix}work-`;

/** Another live process owns the topology of this prefix; cleaning up would tear down its running lab. */
export class LabBusyError extends Error {
  constructor(prefix: string, pid: number) {
    super(`another process (pid ${pid}) is running a lab with the prefix ${prefix}; wait for it or stop it first`);
    this.name = 'LabBusyError';
  }
}

// /run is root's tmpfs: a stale claim disappears with a reboot, and a dead owner's claim is taken over.
const claimFile = (prefix: string) => `/run/${prefix}lab.pid`;

/** A process's start time (field 22 of /proc/PID/stat), so a recycled PID is not taken for the owner. */
async function startTimeOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function liveOwner(prefix: string): Promise<number | undefined> {
  const [pidText = '', startTime] = (await readFile(claimFile(prefix), 'utf8').catch(() => '')).trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  const running = await startTimeOf(pid);
  return running !== undefined && running === startTime ? pid : undefined;
}

async function claimPrefix(prefix: string): Promise<void> {
  const owner = await liveOwner(prefix);
  if (owner !== undefined) throw new LabBusyError(prefix, owner);
  await writeFile(claimFile(prefix), `${process.pid} ${await startTimeOf(process.pid)}\n`);
}

/**
 * Removes what a crashed run with this prefix left behind: namespaces (and their processes) and work directories.
 * Refuses while another live process runs a lab with the same prefix.
 */
export async function cleanupLabLeftovers(prefix: string): Promise<string[]> {
  const owner = await liveOwner(prefix);
  if (owner !== undefined) throw new LabBusyError(prefix, owner);
  const leftovers = await deleteNamespacesWithPrefix(prefix);
  const directories = (await readdir(tmpdir())).filter((name) => name.startsWith(workDirectoryPrefix(prefix)));
  for (const name of directories) await rm(join(tmpdir(), name), { recursive: true, force: true });
  return [...leftovers, ...directories.map((name) => join(tmpdir(), name))];
}

function hostsFor(names: readonly LabServerName[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [LAB_SERVERS[name].hostname, LAB_SERVERS[name].address]));
}

/**
 * Builds the lab network with namespaces named `${prefix}vpc` and `${prefix}mail`, throttle applied, after claiming
 * the prefix and removing a crashed run's leftovers.
 */
export async function createLabTopology(
  prefix: string = DEFAULT_LAB_PREFIX,
  options: LabTopologyOptions = {},
): Promise<LabTopology> {
  const namespaces = { vpc: `${prefix}vpc`, mail: `${prefix}mail` };
  const teardown = new Teardown();
  await claimPrefix(prefix);
  teardown.add(`release the claim on ${prefix}`, () => rm(claimFile(prefix), { force: true }));
  try {
    const leftoversRemoved = await cleanupLabLeftovers(prefix);
    const workDirectory = await mkdtemp(join(tmpdir(), workDirectoryPrefix(prefix)));
    // Postfix's daemons run as the postfix user and must traverse it.
    await chmod(workDirectory, 0o755);
    teardown.add(`remove ${workDirectory}`, () => rm(workDirectory, { recursive: true, force: true }));

    const serverNames = Object.keys(LAB_SERVERS) as LabServerName[];
    teardown.add(`delete namespace ${namespaces.vpc}`, () => deleteNamespace(namespaces.vpc));
    teardown.add(`delete namespace ${namespaces.mail}`, () => deleteNamespace(namespaces.mail));
    await createNamespace(namespaces.vpc, hostsFor(serverNames));
    await createNamespace(namespaces.mail, { [LAB_SERVERS.serverA.hostname]: LAB_SERVERS.serverA.address });

    await connect(
      {
        namespace: namespaces.vpc,
        name: 'eth0',
        addresses: [`${LAB_NETWORK.probeAddress}/16`, `${LAB_NETWORK.probeAddress6}/64`],
      },
      {
        namespace: namespaces.mail,
        name: 'eth0',
        addresses: [`${LAB_NETWORK.gateway}/16`, `${LAB_NETWORK.gateway6}/64`],
      },
    );
    // The mail namespace is the VPC's only way out, and it has no way out itself.
    await addRoute(namespaces.vpc, 'default', LAB_NETWORK.gateway);
    await addRoute(namespaces.vpc, 'default', LAB_NETWORK.gateway6);
    for (const name of serverNames) {
      const { address } = LAB_SERVERS[name];
      await addLoopbackAddress(namespaces.mail, `${address}/${address.includes(':') ? 128 : 32}`);
    }
    await applyNftables(
      namespaces.mail,
      mailHostsRuleset({
        resetAddresses: [LAB_SERVERS.resetControl.address],
        droppedAddresses: [LAB_SERVERS.droppedControl.address, LAB_SERVERS.darkPublic.address],
        unreachableAddresses: [LAB_SERVERS.unreachable.address],
        redirects: [
          { address: LAB_SERVERS.silent.address, toPort: STUB_PORTS.silent },
          { address: LAB_SERVERS.reject554.address, toPort: STUB_PORTS.reject554 },
        ],
      }),
    );

    const postfixDirectory = join(workDirectory, 'postfix');
    const tls =
      options.tls === false
        ? undefined
        : await createSelfSignedCertificate(workDirectory, LAB_SERVERS.serverA.hostname);
    const postfix = await startPostfix({
      namespace: namespaces.mail,
      directory: postfixDirectory,
      hostname: LAB_SERVERS.serverA.hostname,
      extraPorts: [LAB_NETWORK.submissionPort],
      ...(tls ? { tls } : {}),
    });
    teardown.add('stop Postfix', () => postfix.stop());

    if (options.stubServers !== false) {
      const stubs: StubServer[] = [
        await startStubServer(namespaces.mail, 'silent', STUB_PORTS.silent),
        await startStubServer(namespaces.mail, 'reject-554', STUB_PORTS.reject554),
      ];
      for (const stub of stubs) teardown.add(`stop the ${stub.behaviour} stub server`, () => stub.stop());
    }

    const throttle = {
      table: THROTTLE_TABLE,
      apply: () => applyNftables(namespaces.vpc, throttleRuleset(LAB_NETWORK.vpcPrimaryCidr)),
      lift: () => deleteNftTable(namespaces.vpc, THROTTLE_TABLE.family, THROTTLE_TABLE.name),
      isActive: async () =>
        (await listNftTables(namespaces.vpc)).some(
          (table) => table.family === THROTTLE_TABLE.family && table.name === THROTTLE_TABLE.name,
        ),
    };
    await throttle.apply();

    return {
      prefix,
      namespaces,
      vpcPrimaryCidr: LAB_NETWORK.vpcPrimaryCidr,
      probeAddress: LAB_NETWORK.probeAddress,
      servers: LAB_SERVERS,
      postfix,
      workDirectory,
      leftoversRemoved,
      throttle,
      destroy: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run().catch((teardownError: unknown) => {
      throw new AggregateError([error, teardownError], 'building the lab topology failed, and so did its teardown');
    });
    throw error;
  }
}
