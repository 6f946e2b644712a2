import { cleanEnvironment, runProcess } from './process.js';

/**
 * The Node.js that production runs (Lambda `nodejs24.x`, the probe image's `node:24-alpine`), from the npm registry's
 * `node` package through npx: the lab and the bench run the orchestrator handler and the probe tasks on it.
 */
export const PRODUCTION_NODE_MAJOR = 24;
export const PRODUCTION_NODE_PACKAGE = `node@${PRODUCTION_NODE_MAJOR}`;

export interface NodeRuntime {
  /** The node binary itself (not npx's wrapper): children start it directly. */
  readonly path: string;
  /** `process.version` as that binary reports it, e.g. v24.21.0. */
  readonly version: string;
}

export class NodeRuntimeUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `Node.js ${PRODUCTION_NODE_MAJOR} (what production runs) is not available: ${detail}. The lab and the bench take it from the npm registry with \`npx -y ${PRODUCTION_NODE_PACKAGE}\`; check that npm can reach its registry, or run \`npx -y ${PRODUCTION_NODE_PACKAGE} -v\` once by hand.`,
      options,
    );
    this.name = 'NodeRuntimeUnavailableError';
  }
}

let resolved: Promise<NodeRuntime> | undefined;

/** Resolves the Node 24 binary once per process (npx caches the package; later runs take a second). */
export function productionNode(): Promise<NodeRuntime> {
  resolved ??= resolveProductionNode();
  return resolved;
}

async function resolveProductionNode(): Promise<NodeRuntime> {
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess(
      'npx',
      ['-y', PRODUCTION_NODE_PACKAGE, '-p', 'JSON.stringify([process.execPath, process.version])'],
      { env: cleanEnvironment({ HOME: process.env.HOME ?? '/root', npm_config_update_notifier: 'false' }) },
    );
  } catch (error) {
    throw new NodeRuntimeUnavailableError(`npx could not be started (${String(error)})`, { cause: error });
  }
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    parsed = undefined;
  }
  if (
    result.exitCode !== 0 ||
    !Array.isArray(parsed) ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string'
  ) {
    throw new NodeRuntimeUnavailableError(
      `npx -y ${PRODUCTION_NODE_PACKAGE} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(-500)}`,
    );
  }
  const [path, version] = parsed as [string, string];
  if (!version.startsWith(`v${PRODUCTION_NODE_MAJOR}.`)) {
    throw new NodeRuntimeUnavailableError(`npx gave ${version} at ${path}, not ${PRODUCTION_NODE_MAJOR}.x`);
  }
  return { path, version };
}
