// Bundles every deployable with esbuild: the CLI, the probe container's entry, the orchestrator Lambda, the lab and the bench.
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Some bundled CommonJS dependencies call require(); ESM output needs one.
const requireShim =
  "import { createRequire as __p25CreateRequire } from 'node:module'; const require = __p25CreateRequire(import.meta.url);";

const base = {
  bundle: true,
  platform: 'node',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // The SDK's ES module builds tree-shake to the commands we import; its CommonJS builds drag in whole clients.
  mainFields: ['module', 'main'],
};
/**
 * The SDK's schema modules key some shapes by computed property names (`{ [_eQN]: 'DryRun' }`, EC2's query names).
 * esbuild cannot prove a computed key free of side effects, so it keeps every shape of such a module: EC2's alone added
 * 550 KB to the Lambda bundle for two commands. Each key is a module-level string constant; writing it as the literal
 * it names changes nothing at run time and lets the unused shapes go (EC2 then adds about 20 KB).
 */
const sdkSchemaKeysAsLiterals = {
  name: 'sdk-schema-keys-as-literals',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const constants = new Map(
          [...text.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map(([, name, literal]) => [name, literal]),
        );
        const contents = text.replace(/\[(_\w+)\]:/g, (key, name) =>
          constants.has(name) ? `${constants.get(name)}:` : key,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

const common = { ...base, format: 'esm', banner: { js: requireShim }, plugins: [sdkSchemaKeysAsLiterals] };
// What must start fast is CommonJS: Node 20 starts a CommonJS file about 10 ms sooner than an ES module.
const commonJs = { ...base, format: 'cjs', minify: true };

// Lambda and the probe image run the current Node.js LTS; the CLI, lab and bench run on the developer's Node (>= 20).
const LAMBDA_NODE_TARGET = 'node24';

// The `bin` runs `probe` itself and hands every other command to the ES module CLI, left external.
const esmCliExternal = {
  name: 'esm-cli-external',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/main\.js$/, namespace: 'file' }, (args) =>
      args.importer.endsWith('bin.ts') ? { path: './cli.mjs', external: true } : undefined,
    );
  },
};

// Only current output: a stale probe bundle must not be picked up by mistake, nor stale chunks pile up.
for (const directory of ['dist/probe', 'dist/chunks']) rmSync(directory, { recursive: true, force: true });

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
  // The `port25-canary` executable (package.json `bin`).
  build({
    ...commonJs,
    entryPoints: ['functions/cli/bin.ts'],
    outfile: 'dist/cli.cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [esmCliExternal],
  }),
  build({
    ...commonJs,
    entryPoints: ['functions/probe/main.ts'],
    outfile: 'dist/probe/index.cjs',
    target: LAMBDA_NODE_TARGET,
  }),
  build({
    ...common,
    entryPoints: ['functions/orchestrator/index.ts'],
    outfile: 'dist/orchestrator/index.mjs',
    minify: true,
    target: LAMBDA_NODE_TARGET,
  }),
  // The lab authorizes with @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency): left external, resolved from
  // node_modules when the lab runs, so no AGPL code is ever copied into dist/ (nor into any product bundle).
  build({
    ...common,
    entryPoints: { lab: 'lab/main.ts', bench: 'bench/main.ts' },
    external: ['@cloud-copilot/*'],
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/lab-[name]-[hash]',
    target: 'node20',
  }),
]);
