// npm's `prepare`: runs after `npm ci`/`npm install` in the checkout, and before `npm install -g .` or `npm link` from a
// clone links the `bin`. The bin (dist/cli.cjs and its chunks) is a self-contained bundle that needs no node_modules at
// run time, but building it needs the dev dependencies, which a global install of a folder does not install: install
// them first when they are missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`prepare: ${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(new URL('../node_modules/esbuild/package.json', import.meta.url))) {
  // The outer `npm install -g` hands its settings down as npm_config_*; the inner install is a local one.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_config_(global|location|prefix|omit|include|production|only|ignore_scripts)$/i.test(name),
    ),
  );
  process.stderr.write('prepare: installing the build dependencies (npm ci) to build the port25-canary bin\n');
  const npm = process.env.npm_execpath;
  // --ignore-scripts: this script is the package's own `prepare`; it builds right below.
  const ci = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'];
  if (npm === undefined) run('npm', ci, env);
  else run(process.execPath, [npm, ...ci], env);
}

run(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url))]);
