import { LAB_NETWORK, type LabTopology } from '../lab/topology.js';
import type { BenchTarget } from './peers/tool.js';

/**
 * The lab's servers as bench targets, one per case the issue lists. Every target gets the lab's control port (587,
 * which the throttle leaves alone): our probe uses it to tell a port-25 drop from a host that drops everything.
 */
export function benchTargets(topology: LabTopology): BenchTarget[] {
  const { servers } = topology;
  const controlPort = LAB_NETWORK.submissionPort;
  const target = (key: string, label: string, address: string): BenchTarget => ({
    key,
    label,
    address,
    port: 25,
    family: address.includes(':') ? 6 : 4,
    controlPort,
  });
  return [
    target('open', 'open: Postfix (RFC 1918)', servers.serverA.address),
    target('blocked', 'blocked: throttle drops port 25 silently', servers.serverB.address),
    target('reset', 'reset: SYN answered with RST', servers.resetControl.address),
    target('unreachable', 'ICMP host unreachable', servers.unreachable.address),
    target('sg-drop', 'silent drop on every port (security group)', servers.droppedControl.address),
    target('never-greets', 'accepts, never greets', servers.silent.address),
    target('greets-554', 'greets 554', servers.reject554.address),
    target('open-v6', 'IPv6 open: Postfix (RFC 4193)', servers.serverUla6.address),
    target('blocked-v6', 'IPv6 blocked: throttle drops port 25 silently', servers.serverB6.address),
  ];
}

/** The targets where the only answer is the deadline: the bench checks the probe decides them right at it. */
export const SILENT_DROP_TARGETS = ['blocked', 'sg-drop', 'blocked-v6'] as const;
export const OPEN_TARGET = 'open';
export const GREETS_554_TARGET = 'greets-554';
