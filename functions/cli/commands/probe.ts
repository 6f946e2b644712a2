import { port25ExpectationRule } from '../../probe/expectation.js';
import { PROBE_USAGE } from '../../probe/probe-arguments.js';
import { runProbeProgram } from '../../probe/probe-program.js';
import { systemProbeDependencies } from '../../probe/system-dependencies.js';
import type { Command } from '../arguments.js';

export const probeCommand: Command = {
  summary: 'probe SMTP on port 25 from this machine',
  usage: PROBE_USAGE,
  run: (argv, io) => runProbeProgram(argv, io, systemProbeDependencies(), port25ExpectationRule),
};
