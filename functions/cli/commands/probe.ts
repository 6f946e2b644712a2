import type { ExpectationRule } from '../../probe/expectation.js';
import { probeUsage } from '../../probe/probe-arguments.js';
import { runProbeProgram } from '../../probe/probe-program.js';
import { systemProbeDependencies } from '../../probe/system-dependencies.js';
import type { Command } from '../arguments.js';

// The rule engine and ip-address are half the command's code: loaded only when --vpc-cidr or --released asks for them.
const loadExpectationRule = async (): Promise<ExpectationRule> =>
  (await import('../../probe/expectation.js')).port25ExpectationRule;

export const probeCommand: Command = {
  summary: 'probe SMTP on port 25 from this machine',
  usage: probeUsage('cli'),
  run: (argv, io) => runProbeProgram(argv, io, systemProbeDependencies(), loadExpectationRule),
};
