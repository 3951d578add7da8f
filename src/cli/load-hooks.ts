// Module hooks (registered by load.ts with module.register) that load a model file as an ES module
// whatever the package.json above it says. A model file is ESM by contract (`import ... from
// 'mc-checker'`, `export default defineModel(...)`), but Node and tsx pick a .ts or .js file's format
// from the nearest package.json: with no "type", or "type": "commonjs" (what `npm init` writes), a .js
// model failed on its first `import`, and tsx compiled a .ts model to CommonJS. Only the URL load.ts
// marks with MODEL_MARK is forced; the files it imports keep their own format.
import type { LoadHook } from 'node:module';

/** The query parameter load.ts adds to a model file's URL. */
export const MODEL_MARK = 'mc-model';

export const load: LoadHook = async (url, context, nextLoad) => {
  // A .cjs (or .cts) model says by its name that it is CommonJS (require, module.exports): left as it is.
  if (url.startsWith('file:') && new URL(url).searchParams.has(MODEL_MARK) && !/\.c[jt]s$/.test(new URL(url).pathname)) {
    // tsx's hook (later in the chain, or earlier) reads the format from the context, and transforms a .ts
    // file as the module it is told it is.
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
};
