import type { ProbeDependencies } from './run-probe.js';

/**
 * The real collaborators: the system resolver in its own order, so /etc/hosts (and /etc/netns/NAME/hosts under
 * `ip netns exec`) apply, and a wall clock that never goes backwards within the process. Sockets default to net.connect.
 */
export function systemProbeDependencies(): ProbeDependencies {
  return {
    lookup: async (host) => {
      // Loaded on the first host name (synchronously: import() would start the ES module loader in the CommonJS bundle).
      const { lookup } = process.getBuiltinModule('node:dns/promises');
      return (await lookup(host, { all: true, order: 'verbatim' })).map(({ address, family }) => ({
        address,
        family: family === 6 ? 6 : 4,
      }));
    },
    resolveMx: async (domain) => process.getBuiltinModule('node:dns/promises').resolveMx(domain),
    now: monotonicEpochClock(),
  };
}

/** Epoch milliseconds read once, then advanced by the monotonic clock (node:perf_hooks would load nine modules). */
function monotonicEpochClock(): () => number {
  const epochMsAtStart = Date.now();
  const monotonicAtStart = process.hrtime.bigint();
  return () => epochMsAtStart + Number(process.hrtime.bigint() - monotonicAtStart) / 1e6;
}
