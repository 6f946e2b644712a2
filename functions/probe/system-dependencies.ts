import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import type { ProbeDependencies } from './run-probe.js';

/**
 * The real collaborators: the system resolver in its own order, so /etc/hosts (and /etc/netns/NAME/hosts under
 * `ip netns exec`) apply, and a wall clock that never goes backwards within the process. Sockets default to net.connect.
 */
export function systemProbeDependencies(): ProbeDependencies {
  return {
    lookup: async (host) =>
      (await lookup(host, { all: true, order: 'verbatim' })).map(({ address, family }) => ({
        address,
        family: family === 6 ? 6 : 4,
      })),
    now: () => performance.timeOrigin + performance.now(),
  };
}
