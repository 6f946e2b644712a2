import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { timeSpawn } from './agent.js';
import type { SpawnInvocation } from './agent-protocol.js';
import { TOOL_ENVIRONMENT } from './peers/tool.js';
import { median, type Summary, summarize } from './stats.js';

export interface BundleSize {
  readonly name: string;
  readonly path: string;
  /** As built: minified by scripts/build.mjs. */
  readonly bytes: number;
  readonly gzipBytes: number;
}

export async function bundleSize(name: string, path: string): Promise<BundleSize> {
  const content = await readFile(path);
  return { name, path, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

export interface ColdImport {
  readonly path: string;
  readonly runs: number;
  /** The Node.js version that imported it: the production one (Lambda nodejs24.x). */
  readonly node: string;
  /** `node --input-type=module -e "await import(bundle)"`, wall time per fresh process. */
  readonly importProcess: Summary;
  /** `node --input-type=module -e ""`: the same process doing nothing. */
  readonly bareProcess: Summary;
  /** Median of the first minus median of the second: what the import itself costs a cold start. */
  readonly importMs: number;
}

const KILL_AFTER_MS = 30_000;

/**
 * Cold import of a bundle: fresh processes that import it and do nothing else, against the same processes importing
 * nothing, interleaved. Runs in the bench's own namespace: importing sends no traffic.
 */
export async function measureColdImport(
  path: string,
  runs: number,
  node: { readonly path: string; readonly version: string },
): Promise<ColdImport> {
  const { path: nodePath, version: nodeVersion } = node;
  const script = `await import(${JSON.stringify(pathToFileURL(path).href)});`;
  const withImport: SpawnInvocation = {
    kind: 'spawn',
    argv: [nodePath, '--input-type=module', '-e', script],
    env: TOOL_ENVIRONMENT,
  };
  const bare: SpawnInvocation = {
    kind: 'spawn',
    argv: [nodePath, '--input-type=module', '-e', ''],
    env: TOOL_ENVIRONMENT,
  };
  const importTimes: number[] = [];
  const bareTimes: number[] = [];
  // One of each first, unrecorded: the page cache, not the import, would otherwise dominate the first sample.
  for (let run = -1; run < runs; run += 1) {
    const bareResult = await timeSpawn(bare, KILL_AFTER_MS);
    const importResult = await timeSpawn(withImport, KILL_AFTER_MS);
    if (importResult.exitCode !== 0) {
      throw new Error(`importing ${path} failed (exit ${importResult.exitCode}): ${importResult.stderr.slice(0, 500)}`);
    }
    if (run < 0) continue;
    bareTimes.push(bareResult.wallMs);
    importTimes.push(importResult.wallMs);
  }
  return {
    path,
    runs,
    node: nodeVersion,
    importProcess: summarize(importTimes),
    bareProcess: summarize(bareTimes),
    importMs: median(importTimes) - median(bareTimes),
  };
}
