#!/usr/bin/env node
// The `mc` command (package.json "bin"): runs the compiled command line. It is a tracked file, so git
// keeps its executable bit; dist/ is built by `npm run build` and tsc writes its files without one.
try {
  await import('../dist/src/cli/main.js');
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/src/cli/main.js')) {
    console.error('mc: not built yet: run `npm run build` first (it compiles src/ to dist/)');
    process.exit(2);
  }
  throw e;
}
