import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../shared/errors.js';

/**
 * The workstation is not set up to call AWS: no Region, no credentials, a profile that does not exist, an endpoint that
 * does not answer. Bad input (exit 2), found before anything is launched; the message names the fix.
 */
export class AwsSetupError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsSetupError';
  }
}

/** What the check reads of an SDK v3 client: its resolved Region, credentials and endpoint. */
export interface SdkClientLike {
  readonly config: {
    readonly region: () => Promise<string>;
    readonly credentials: () => Promise<unknown>;
    readonly endpoint?: (() => Promise<{ hostname: string; port?: number; protocol: string }>) | undefined;
    readonly serviceConfiguredEndpoint?: (() => Promise<string | undefined>) | undefined;
    readonly endpointProvider: (parameters: { Region: string; UseFIPS: boolean; UseDualStack: boolean }) => {
      url: URL;
    };
    readonly useFipsEndpoint?: () => Promise<boolean>;
    readonly useDualstackEndpoint?: () => Promise<boolean>;
  };
}

/** A client to check, with the service name people know it by and the variable that redirects it. */
export interface ServiceClient {
  readonly service: string;
  readonly endpointVariable: string;
  readonly client: SdkClientLike;
}

export interface AwsSetupContext {
  readonly profile?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** How long an endpoint may take to accept a TCP connection. */
  readonly connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 5000;

// "[profile NAME]" in ~/.aws/config, "[NAME]" in ~/.aws/credentials (and "[default]" in both): AWS CLI User Guide,
// "Configuration and credential file settings".
const SECTION = /^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]\s*$/gm;

async function profilesIn(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // A missing file holds no profiles; the SDK reads it the same way.
    return [];
  }
  return [...text.matchAll(SECTION)].map((match) => match[1] as string);
}

function awsFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
  };
}

/** A named profile (--profile or AWS_PROFILE) must be in one of the two files; the SDK would only say "no credentials". */
export async function checkProfile(context: AwsSetupContext): Promise<void> {
  const fromOption = context.profile !== undefined;
  const profile = context.profile ?? context.env.AWS_PROFILE?.trim();
  if (profile === undefined || profile === '') return;
  const files = awsFiles(context.env);
  const known = [...new Set([...(await profilesIn(files.config)), ...(await profilesIn(files.credentials))])];
  if (known.includes(profile)) return;
  const source = fromOption ? '--profile' : 'AWS_PROFILE';
  const choices = known.length === 0 ? 'there are none' : `known: ${known.join(', ')}`;
  throw new AwsSetupError(
    `the profile ${JSON.stringify(profile)} (${source}) is in neither ${files.config} nor ${files.credentials} (${choices}): name another, or create it with aws configure --profile ${profile}`,
  );
}

async function checkRegion(client: SdkClientLike): Promise<string> {
  try {
    return await client.config.region();
  } catch (cause) {
    throw new AwsSetupError(
      'no AWS Region: add --region REGION (e.g. --region eu-west-1), set AWS_REGION, or give the profile one (aws configure set region REGION)',
      { cause },
    );
  }
}

async function checkCredentials(client: SdkClientLike): Promise<void> {
  try {
    await client.config.credentials();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AwsSetupError(
      `no usable AWS credentials (${reason}): run aws configure or aws sso login, or pass --profile NAME (or set AWS_PROFILE)`,
      { cause },
    );
  }
}

/** The URL the client sends to: an endpoint given in code, one from AWS_ENDPOINT_URL_*, or the Region's own. */
async function endpointOf(client: SdkClientLike, region: string): Promise<URL> {
  const { config } = client;
  const given = await config.endpoint?.();
  if (given !== undefined) return new URL(`${given.protocol}//${given.hostname}${given.port ? `:${given.port}` : ''}`);
  const configured = await config.serviceConfiguredEndpoint?.();
  if (configured !== undefined) return new URL(configured);
  return config.endpointProvider({
    Region: region,
    UseFIPS: (await config.useFipsEndpoint?.()) ?? false,
    UseDualStack: (await config.useDualstackEndpoint?.()) ?? false,
  }).url;
}

function tcpConnect(url: URL, timeoutMs: number): Promise<void> {
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

async function checkEndpoint(service: ServiceClient, region: string, timeoutMs: number): Promise<void> {
  const url = await endpointOf(service.client, region);
  try {
    await tcpConnect(url, timeoutMs);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new AwsSetupError(
      `cannot reach the ${service.service} endpoint ${url.origin} (${code}): check ${service.endpointVariable} and AWS_ENDPOINT_URL, the Region, and this machine's network`,
      { cause },
    );
  }
}

/**
 * Everything a command checks before its first AWS call: the profile exists, a Region and credentials resolve, and every
 * endpoint it will call accepts a TCP connection. Throws AwsSetupError naming the first problem and its fix.
 */
export async function checkAwsSetup(services: readonly ServiceClient[], context: AwsSetupContext): Promise<void> {
  const [first] = services;
  if (first === undefined) return;
  await checkProfile(context);
  const region = await checkRegion(first.client);
  await checkCredentials(first.client);
  const timeoutMs = context.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  await Promise.all(services.map((service) => checkEndpoint(service, region, timeoutMs)));
}
