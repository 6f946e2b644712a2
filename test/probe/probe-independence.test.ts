import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The probe container is a program of its own: it shares command-line pieces with the CLI through functions/shared,
// and must never reach into functions/cli (the CLI sits on top of the probe, not beside it).
const PROBE_DIRECTORY = 'functions/probe';

async function probeSources(): Promise<string[]> {
  const entries = await readdir(PROBE_DIRECTORY, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(relative('.', entry.parentPath), entry.name));
}

/** Every file of ours each probe source reaches, through static and dynamic imports, as esbuild resolves them. */
async function reachableFiles(entryPoints: readonly string[]): Promise<string[]> {
  const result = await build({
    entryPoints: [...entryPoints],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'unused',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('the probe', () => {
  it('has sources to check', async () => {
    expect(await probeSources()).toContain('functions/probe/main.ts');
  });

  it('imports nothing from functions/cli, directly or through another file', async () => {
    const reached = await reachableFiles(await probeSources());

    expect(reached).toContain('functions/shared/command-line/parse-command-line.ts');
    expect(reached.filter((file) => file.startsWith('functions/cli/'))).toEqual([]);
  });
});
