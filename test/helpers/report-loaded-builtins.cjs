// Preloaded with `--require` (NODE_OPTIONS): names, on stderr at exit, every Node.js built-in module the process loaded.
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  process.stderr.write(`loaded built-ins: ${JSON.stringify(builtins)}\n`);
});
