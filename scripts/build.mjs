// Bundles every deployable with esbuild: the CLI, the probe container's entry, the orchestrator Lambda, the lab and the bench.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Some bundled CommonJS dependencies call require(); ESM output needs one.
const requireShim =
  "import { createRequire as __p25CreateRequire } from 'node:module'; const require = __p25CreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: requireShim },
  // The SDK's ES module builds tree-shake to the commands we import; its CommonJS builds drag in whole clients.
  mainFields: ['module', 'main'],
};

// Lambda and the probe image run the current Node.js LTS; the CLI, lab and bench run on the developer's Node (>= 20).
const LAMBDA_NODE_TARGET = 'node24';

await Promise.all([
  // The CLI splits its commands into chunks so `probe` never loads the AWS SDK.
  build({
    ...common,
    entryPoints: { cli: 'functions/cli/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    target: 'node20',
    define: { PORT25_CANARY_VERSION: JSON.stringify(version) },
    banner: { js: `#!/usr/bin/env node\n${requireShim}` },
  }),
  build({
    ...common,
    entryPoints: ['functions/probe/main.ts'],
    outfile: 'dist/probe/index.mjs',
    minify: true,
    target: LAMBDA_NODE_TARGET,
  }),
  build({
    ...common,
    entryPoints: ['functions/orchestrator/index.ts'],
    outfile: 'dist/orchestrator/index.mjs',
    minify: true,
    target: LAMBDA_NODE_TARGET,
  }),
  build({
    ...common,
    entryPoints: { lab: 'lab/main.ts', bench: 'bench/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/lab-[name]-[hash]',
    target: 'node20',
  }),
]);
