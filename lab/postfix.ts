import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inNamespace, NamespaceError, run } from './netns.js';

/**
 * A real Postfix instance of its own (config, queue and data directories under `directory`) running inside a namespace.
 * It answers SMTP on every address of the namespace, relays nothing and delivers nothing.
 */
export interface PostfixInstance {
  readonly configDirectory: string;
  readonly logFile: string;
  /** The instance's log so far (Postfix logs to a file through postlogd; there is no syslog in the lab). */
  readLog(): Promise<string>;
  stop(): Promise<void>;
}

export interface PostfixOptions {
  readonly namespace: string;
  /** A new directory for the instance; its parent must be traversable by the postfix user. */
  readonly directory: string;
  readonly hostname: string;
  /** Extra TCP ports smtpd listens on besides 25 (e.g. 587 as the probe's control port). */
  readonly extraPorts?: readonly number[];
  /** PEM files for STARTTLS; without them the server offers no STARTTLS. */
  readonly tls?: { readonly certificateFile: string; readonly keyFile: string };
}

export class PostfixError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PostfixError';
  }
}

function mainCf(options: PostfixOptions, paths: { queue: string; data: string; log: string }): string {
  const tls = options.tls
    ? [
        'smtpd_tls_security_level = may',
        `smtpd_tls_cert_file = ${options.tls.certificateFile}`,
        `smtpd_tls_key_file = ${options.tls.keyFile}`,
      ]
    : ['smtpd_tls_security_level = none'];
  return [
    '# port25-canary lab instance: answers SMTP, relays nothing, delivers nothing.',
    'compatibility_level = 3.6',
    `queue_directory = ${paths.queue}`,
    `data_directory = ${paths.data}`,
    `myhostname = ${options.hostname}`,
    'mydomain = lab.invalid',
    'myorigin = $myhostname',
    'inet_interfaces = all',
    'inet_protocols = all',
    'mydestination =',
    'relay_domains =',
    'mynetworks =',
    'smtpd_relay_restrictions = reject_unauth_destination',
    'smtpd_recipient_restrictions = reject',
    'local_transport = error:5.7.1 the lab delivers no mail',
    'default_transport = error:5.7.1 the lab delivers no mail',
    'relay_transport = error:5.7.1 the lab delivers no mail',
    'smtpd_banner = $myhostname ESMTP port25-canary lab',
    // The namespace has no DNS server: reverse look-ups of clients would only add latency.
    'smtpd_peername_lookup = no',
    'smtp_dns_support_level = disabled',
    'biff = no',
    // No syslog in a namespace: postlogd writes the instance's log file (Postfix >= 3.4).
    `maillog_file = ${paths.log}`,
    `maillog_file_prefixes = ${options.directory}`,
    ...tls,
    '',
  ].join('\n');
}

// Only the services smtpd needs; chroot off because the instance's paths live outside any chroot.
function masterCf(extraPorts: readonly number[]): string {
  const services = [
    'smtp      inet  n       -       n       -       -       smtpd',
    ...extraPorts.map((port) => `${String(port).padEnd(9)} inet  n       -       n       -       -       smtpd`),
    'pickup    unix  n       -       n       60      1       pickup',
    'cleanup   unix  n       -       n       -       0       cleanup',
    'qmgr      unix  n       -       n       300     1       qmgr',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'rewrite   unix  -       -       n       -       -       trivial-rewrite',
    'bounce    unix  -       -       n       -       0       bounce',
    'defer     unix  -       -       n       -       0       bounce',
    'trace     unix  -       -       n       -       0       bounce',
    'verify    unix  -       -       n       -       1       verify',
    'proxymap  unix  -       -       n       -       -       proxymap',
    'error     unix  -       -       n       -       -       error',
    'retry     unix  -       -       n       -       -       error',
    'discard   unix  -       -       n       -       -       discard',
    'anvil     unix  -       -       n       -       1       anvil',
    'scache    unix  -       -       n       -       1       scache',
    'postlog   unix-dgram n  -       n       -       1       postlogd',
  ];
  return `${services.join('\n')}\n`;
}

/** Writes the instance's configuration and starts it with `postfix -c DIR start` inside the namespace. */
export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  const configDirectory = join(options.directory, 'etc');
  const paths = {
    queue: join(options.directory, 'queue'),
    // Postfix creates the data directory itself, owned by the postfix user; it must not exist beforehand.
    data: join(options.directory, 'data'),
    log: join(options.directory, 'maillog'),
  };
  await mkdir(options.directory, { recursive: true });
  // Postfix daemons drop to the postfix user and must reach their directories.
  await chmod(options.directory, 0o755);
  await mkdir(configDirectory, { recursive: true });
  await mkdir(paths.queue, { recursive: true });
  await writeFile(join(configDirectory, 'main.cf'), mainCf(options, paths));
  await writeFile(join(configDirectory, 'master.cf'), masterCf(options.extraPorts ?? []));
  const readLog = async () => readFile(paths.log, 'utf8').catch(() => '');
  try {
    await inNamespace(options.namespace, ['postfix', '-c', configDirectory, 'start']);
  } catch (cause) {
    // postfix(1) prints its fatal errors only to a terminal; the log file has them.
    throw new PostfixError(
      `Postfix did not start in ${options.namespace}; its log:\n${(await readLog()) || '(empty)'}`,
      { cause },
    );
  }
  return {
    configDirectory,
    logFile: paths.log,
    readLog,
    async stop() {
      try {
        await inNamespace(options.namespace, ['postfix', '-c', configDirectory, 'stop']);
      } catch (cause) {
        throw new PostfixError(`postfix stop failed in ${options.namespace}`, { cause });
      }
    },
  };
}

/** A self-signed certificate for STARTTLS, made with the openssl command line. */
export async function createSelfSignedCertificate(
  directory: string,
  commonName: string,
): Promise<{ certificateFile: string; keyFile: string }> {
  const certificateFile = join(directory, 'smtpd.crt');
  const keyFile = join(directory, 'smtpd.key');
  try {
    await run([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      keyFile,
      '-out',
      certificateFile,
    ]);
  } catch (cause) {
    if (cause instanceof NamespaceError)
      throw new PostfixError(`cannot create a TLS certificate: ${cause.message}`, { cause });
    throw cause;
  }
  return { certificateFile, keyFile };
}
