import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXEMPT_RANGES } from '../../functions/shared/port25-rule.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import { inNamespace, isRoot, listNamespaces, spawnInNamespace } from '../../lab/netns.js';
import { THROTTLE_TABLE } from '../../lab/packet-filter.js';
import {
  createLabTopology,
  DEFAULT_LAB_PREFIX,
  LAB_NETWORK,
  LAB_SERVERS,
  type LabTopology,
} from '../../lab/topology.js';

/**
 * The lab network on its own, probed with the built probe from the VPC namespace: every server answers the way its
 * description says (the benchmarks rely on the extra ones), and the throttle is the rule engine's.
 */

const PROBE_BUNDLE = resolve(import.meta.dirname, '../../dist/probe/index.cjs');
const skipReason =
  process.env.CI === 'true' || (process.platform === 'linux' && isRoot())
    ? undefined
    : 'needs Linux and root (network namespaces, nftables, Postfix); CI runs it as root';

let topology: LabTopology;

function probe(target: string, ...options: string[]): Promise<ProbeResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnInNamespace(
      topology.namespaces.vpc,
      [process.execPath, PROBE_BUNDLE, '--json', '--timeout', '1000ms', ...options, target],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolvePromise(JSON.parse(stdout) as ProbeResult);
      } catch (error) {
        reject(new Error(`the probe printed no result: ${stdout} ${stderr}`, { cause: error }));
      }
    });
  });
}

describe.skipIf(skipReason !== undefined)(`the lab topology${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(PROBE_BUNDLE)) throw new Error(`${PROBE_BUNDLE} missing: run npm run build first (npm test does)`);
    topology = await createLabTopology(DEFAULT_LAB_PREFIX);
  });

  afterAll(async () => {
    await topology?.destroy();
  });

  it.each([
    ['server A by name', 'open', LAB_SERVERS.serverA.hostname],
    ['the RFC 4193 server', 'open', `[${LAB_SERVERS.serverUla6.address}]`],
    ['server B while throttled', 'timeout', LAB_SERVERS.serverB.address],
    ['server B6 while throttled', 'timeout', `[${LAB_SERVERS.serverB6.address}]`],
    ['the server in the secondary CIDR while throttled', 'timeout', LAB_SERVERS.serverSecondary.address],
    ['the reset control', 'refused', LAB_SERVERS.resetControl.address],
    ['the security-group control', 'timeout', LAB_SERVERS.droppedControl.address],
    ['the dark public host', 'timeout', LAB_SERVERS.darkPublic.address],
    ['the unreachable host', 'unreachable', LAB_SERVERS.unreachable.address],
    ['the server that never greets', 'banner-timeout', LAB_SERVERS.silent.address],
    ['the server that greets 554', 'protocol-error', LAB_SERVERS.reject554.address],
  ])('probes %s as %s', async (_, outcome, target) => {
    const result = await probe(`${target}:25`);

    expect(result.outcome).toBe(outcome);
  });

  it('greets with Postfix and offers STARTTLS on server A', async () => {
    const result = await probe(`${LAB_SERVERS.serverA.address}:25`, '--starttls');

    expect(result.greeting).toMatch(/^220 mail-a\.lab\.invalid ESMTP/);
    expect(result.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('leaves the control port of a throttled server reachable', async () => {
    const result = await probe(`${LAB_SERVERS.serverB.address}:25`, '--control-port', '587');

    expect(result.control?.outcome).toBe('open');
  });

  it("builds the throttle's exempt sets from the rule engine's ranges and the VPC CIDR", async () => {
    const { stdout } = await inNamespace(topology.namespaces.vpc, [
      'nft',
      'list',
      'table',
      THROTTLE_TABLE.family,
      THROTTLE_TABLE.name,
    ]);

    for (const range of EXEMPT_RANGES) expect(stdout).toContain(range.cidr);
    expect(stdout).toContain(topology.vpcPrimaryCidr);
    // AWS exempts the primary CIDR only.
    expect(stdout).not.toContain(LAB_NETWORK.vpcSecondaryCidr.split('/')[0]);
  });

  it('routes the VPC namespace only into the mail namespace', async () => {
    const { stdout } = await inNamespace(topology.namespaces.vpc, ['ip', '-j', 'link', 'show']);
    const links = (JSON.parse(stdout) as { ifname: string }[]).map((link) => link.ifname).sort();

    expect(links).toEqual(['eth0', 'lo']);
  });

  it('reaches server B once the throttle is lifted', async () => {
    await topology.throttle.lift();

    const [v4, v6, secondary] = await Promise.all([
      probe(`${LAB_SERVERS.serverB.address}:25`),
      probe(`[${LAB_SERVERS.serverB6.address}]:25`),
      probe(`${LAB_SERVERS.serverSecondary.address}:25`),
    ]);

    expect([v4.outcome, v6.outcome, secondary.outcome]).toEqual(['open', 'open', 'open']);
    await topology.throttle.apply();
  });

  it('removes both namespaces on destroy', async () => {
    const doomed = topology;

    await doomed.destroy();

    const namespaces = (await listNamespaces()).filter((name) => name.startsWith(DEFAULT_LAB_PREFIX));
    expect(namespaces).toEqual([]);
  });
});
