import { closestName } from '../shared/command-line/closest-name.js';
import type { CommandIo } from '../shared/command-line/command-io.js';
import { USAGE_EXIT_CODE } from '../shared/outcomes.js';
import type { Command } from './arguments.js';
import { exitWith, processIo, runCommand } from './command-runner.js';

declare const PORT25_CANARY_VERSION: string | undefined;

// Each command loads lazily: `probe` must start as fast as Node itself and never pay for the AWS SDK.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  explain: {
    summary: "predict AWS's port-25 verdict for addresses",
    load: async () => (await import('./commands/explain.js')).explainCommand,
  },
  probe: {
    summary: 'probe SMTP on port 25 from this machine',
    load: async () => (await import('./commands/probe.js')).probeCommand,
  },
  run: {
    summary: 'run the canary from this workstation (AWS credentials)',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  invoke: {
    summary: 'invoke the deployed canary function and print its report',
    load: async () => (await import('./commands/invoke.js')).invokeCommand,
  },
};

const VERSION = typeof PORT25_CANARY_VERSION === 'string' ? PORT25_CANARY_VERSION : 'dev';

const MAIN_USAGE = `Usage: port25-canary <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(9)}${summary}`)
  .join('\n')}
  help     show this help, or a command's: port25-canary help <command>
  version  print the version (also --version)

Options:
  -h, --help     show help (also after a command)
  -v, --version  print the version

Run 'port25-canary help <command>' (or 'port25-canary <command> --help') for a command's options and exit codes.
`;

/**
 * On Node 20 (past end of life, still the CLI's tested minimum) the AWS SDK prints a NodeVersionSupportWarning about its
 * own future releases on every run. Our pinned SDK supports Node 20, and docs/cli.md states the support policy once,
 * so the SDK's own switch turns the notice off unless the user set it.
 */
const SDK_NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

const commandNamed = (name: string) => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

const BUILT_IN = ['help', 'version'];

function unknownCommand(name: string, io: CommandIo): number {
  const suggestion = closestName(name, [...Object.keys(COMMANDS), ...BUILT_IN]);
  const didYouMean = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  io.stderr(
    `port25-canary: unknown command ${JSON.stringify(name)}${didYouMean}\nRun 'port25-canary --help' for the commands.\n`,
  );
  return USAGE_EXIT_CODE;
}

/** `port25-canary help [command]`: the main help, or the command's, on stdout. */
async function help(topic: string | undefined, io: CommandIo): Promise<number> {
  if (topic === undefined || topic === 'help') {
    io.stdout(MAIN_USAGE);
    return 0;
  }
  if (topic === 'version') {
    io.stdout('Usage: port25-canary version (or --version): prints the version\n');
    return 0;
  }
  const entry = commandNamed(topic);
  if (!entry) return unknownCommand(topic, io);
  io.stdout((await entry.load()).usage);
  return 0;
}

/**
 * `port25-canary --region eu-west-1 run ...`: options before the command move after it, where the command's own
 * parser checks them (an option it does not take is still an error, naming the command).
 */
function commandFirst(argv: readonly string[]): readonly string[] {
  const [first] = argv;
  if (first === undefined || !first.startsWith('-') || ['--help', '-h', '--version', '-v'].includes(first)) return argv;
  const index = argv.findIndex((word) => commandNamed(word) !== undefined || BUILT_IN.includes(word));
  if (index === -1) return argv;
  return [argv[index] as string, ...argv.slice(0, index), ...argv.slice(index + 1)];
}

async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  io.env[SDK_NODE_WARNING_SWITCH] ??= 'true';
  const [name, ...rest] = commandFirst(argv);
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(MAIN_USAGE);
    return name === undefined ? USAGE_EXIT_CODE : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (name === 'help') return help(rest[0], io);
  const entry = commandNamed(name);
  if (!entry && name.startsWith('-')) {
    io.stderr(
      `port25-canary: ${name} without a command (${[...Object.keys(COMMANDS), ...BUILT_IN].join(', ')})\nRun 'port25-canary --help' for the commands.\n`,
    );
    return USAGE_EXIT_CODE;
  }
  if (!entry) return unknownCommand(name, io);
  return runCommand(name, await entry.load(), rest, io);
}

exitWith(main(process.argv.slice(2), processIo), processIo);
