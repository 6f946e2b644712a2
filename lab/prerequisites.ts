import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { isRoot, run } from './netns.js';

/** What the lab needs from the machine, and the Debian packages that provide it. */

const execFileAsync = promisify(execFile);

export const REQUIRED_COMMANDS: readonly { readonly command: string; readonly debianPackage: string }[] = [
  { command: 'ip', debianPackage: 'iproute2' },
  { command: 'nft', debianPackage: 'nftables' },
  { command: 'postfix', debianPackage: 'postfix' },
  { command: 'openssl', debianPackage: 'openssl' },
  { command: 'setpriv', debianPackage: 'util-linux' },
  // Forwarding in the router namespace (lab/netns.ts).
  { command: 'sysctl', debianPackage: 'procps' },
];

export class PrerequisiteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrerequisiteError';
  }
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function hasCommand(command: string): boolean {
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  return [...new Set([...path, ...SEARCH_PATH])].some((directory) => existsSync(`${directory}/${command}`));
}

export function missingPackages(): string[] {
  return [
    ...new Set(REQUIRED_COMMANDS.filter(({ command }) => !hasCommand(command)).map((entry) => entry.debianPackage)),
  ];
}

export function installCommand(packages: readonly string[]): string {
  return `sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Fails with what is needed unless this is Linux and root; installs missing Debian packages with apt-get when it can
 * (root on Debian/Ubuntu), otherwise names the command to run.
 */
export async function ensurePrerequisites(log: (line: string) => void): Promise<void> {
  // ip, nft and postfix live in sbin, which a non-login root shell's PATH may lack.
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  process.env.PATH = [...path, ...SEARCH_PATH.filter((directory) => !path.includes(directory))].join(':');
  if (process.platform !== 'linux') {
    throw new PrerequisiteError(
      `the lab needs Linux (network namespaces, nftables, Postfix); this is ${process.platform}`,
    );
  }
  if (!isRoot()) {
    throw new PrerequisiteError(
      'the lab needs root: it creates network namespaces, veth pairs and nftables tables, and starts Postfix (run: sudo npm run lab)',
    );
  }
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!existsSync('/etc/debian_version') || !hasCommand('apt-get')) {
    throw new PrerequisiteError(
      `missing packages ${missing.join(', ')}; install them, e.g.: ${installCommand(missing)}`,
    );
  }
  log(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    // The machine's own Postfix stays unconfigured: the lab runs its own instance.
    if (hasCommand('debconf-set-selections')) {
      await run(['debconf-set-selections'], 'postfix postfix/main_mailer_type select No configuration\n');
    }
    await execFileAsync('apt-get', ['update', '-qq'], { env });
    await execFileAsync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } catch (cause) {
    throw new PrerequisiteError(`apt-get could not install ${missing.join(', ')}; run: ${installCommand(missing)}`, {
      cause,
    });
  }
  const stillMissing = missingPackages();
  if (stillMissing.length > 0) {
    throw new PrerequisiteError(`still missing after apt-get: ${stillMissing.join(', ')}`);
  }
}
