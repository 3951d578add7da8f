// Finding a model: a built-in name, or a path to a model file (.js/.mjs, or
// .ts/.mts through tsx, since Node 20 cannot load TypeScript by itself), loaded
// as an ES module whatever the package.json above it says.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isModel, ModelError, UsageError, type Model } from '../explorer/model.js';
import { MODEL_MARK } from './load-hooks.js';
import { importCached, saveEntry, startRecording } from './load-cache.js';

export function looksLikePath(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.([mc]?[jt]s)$/.test(arg);
}

/** The files mc loads as models: TypeScript (through tsx) and JavaScript. Anything else (JSON, Markdown, no extension) is not run. */
const MODEL_FILE = /\.[mc]?[jt]s$/;

/** mc's own package root (this file is dist/src/cli/load.js). */
const MC_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let hooksRegistered = false;

/**
 * Once per thread: load-hooks.ts, then tsx's hooks for the whole process. Not tsx's tsImport: its scoped
 * loading reroutes a .ts file its package calls CommonJS through a CommonJS bridge, past the format
 * load-hooks.ts sets, and gives the model its own second copy of mc-checker. Registered this way,
 * `import ... from 'mc-checker'` in a model file is the mc that loads it (when it resolves to the same files).
 */
async function registerHooks(): Promise<void> {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register(new URL('./load-hooks.js', import.meta.url));
  const tsx = await import('tsx/esm/api');
  tsx.register();
  // After tsx's, so that it sees what tsx made of each file (for the cache).
  startRecording();
}

export async function loadModel(arg: string): Promise<Model> {
  // A name that is no built-in model but names a file or directory here (package.json, models) is taken as that path.
  if (!looksLikePath(arg)) {
    // Imported only here: a thread that loads a model file needs none of the built-in ones.
    const { builtinModels } = await import('../models/index.js');
    if (builtinModels.some((x) => x.name === arg) || !existsSync(arg)) {
      const m = builtinModels.find((x) => x.name === arg);
      if (m) { m.source = 'builtin'; return m; }
      const names = builtinModels.map((x) => x.name);
      throw new UsageError(`unknown model '${arg}'. Built-in models: ${names.length ? names.join(', ') : '(none)'}; or give a path to a model file (./my-model.ts)`);
    }
  }
  const path = resolve(arg);
  if (!existsSync(path)) throw new UsageError(`model file '${arg}' does not exist`);
  if (statSync(path).isDirectory()) throw new UsageError(`'${arg}' is a directory, not a model file: give the model file itself (a .ts, .mts, .js or .mjs file that exports default defineModel({...}))`);
  if (!MODEL_FILE.test(path)) throw new UsageError(notAModelFile(arg, path));
  // The mark makes load-hooks.ts load this file (and only this one) as an ES module.
  const url = `${pathToFileURL(path).href}?${MODEL_MARK}`;
  // From the cache (load-cache.ts) if it holds this model as its files are now: no tsx, no hooks.
  let mod = await importCached(path);
  const fresh = mod === null;
  if (mod === null) {
    await registerHooks();
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new ModelError(`model file '${arg}' could not be loaded: ${describeLoadFailure(e, path)}`, { cause: e });
    }
  }
  // tsx may wrap a default export once more.
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod.model];
  const m = candidates.find(isModel);
  if (!m) throw new ModelError(`model file '${arg}' does not export a model: export default defineModel({...}) (or export const model = defineModel({...}))`);
  m.source = path;
  if (fresh) await saveEntry(path, url);
  return m;
}

/** Why a file that exists is not loaded as a model: its kind, and for a trace file, the command that reads it. */
function notAModelFile(arg: string, path: string): string {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1];
  let what = ext ? `a .${ext} file` : 'a file without an extension';
  if (ext?.toLowerCase() === 'json') {
    let schema: unknown;
    try { schema = (JSON.parse(readFileSync(path, 'utf8')) as { schema?: unknown })?.schema; } catch { /* not JSON either: still not a model */ }
    if (schema === 'mc.trace/1') what = `a trace written by --trace-out (replay it with: mc replay ${arg})`;
  }
  return `'${arg}' is not a model file: it is ${what}; a model is a .ts, .mts, .js or .mjs file that exports default defineModel({...})`;
}

// ---------- load failures ----------

/** A file URL or path as the user would write it: relative to the working directory when under it, without the loaders' query. */
function userPath(fileOrUrl: string): string {
  let p = fileOrUrl.replace(/[?#].*$/, '');
  if (p.startsWith('file:')) { try { p = fileURLToPath(p); } catch { /* keep it */ } }
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

/** Node's messages name files by URL or path with the loaders' query (?mc-model...): as userPath gives them. Only whole words (not https://...). */
const cleanPaths = (s: string): string =>
  s.replace(/(?<=^|[\s'"(])(?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^\s'"()?]*(?:\?[^\s'"():]*)?/g, (p) => userPath(p));

/** mc's own code: what runs (dist/) and its sources (which this repository's test models import). */
const MC_CODE = [join(MC_ROOT, 'dist') + sep, join(MC_ROOT, 'src') + sep];

/** Whether a file (path or URL) is the user's: not mc's own code, nor a dependency (tsx, esbuild, or mc installed). */
function usersFile(file: string): boolean {
  const abs = resolve(userPath(file));
  return !MC_CODE.some((dir) => abs.startsWith(dir)) && !abs.split(sep).includes('node_modules');
}

/** A stack frame's place (file, line, column), for frames in files (not node: internals). */
const FRAME = /(?:^\s*at |\()((?:file:\/\/|\/|[A-Za-z]:[\\/])[^()\s]*?):(\d+):(\d+)\)?\s*$/;

/**
 * Why a model file did not load, as `file:line[:col]: message`, where file:line is in the user's code:
 * the syntax error, the import that names nothing, the statement that threw. Never mc's own frames
 * (dist/src/cli/load.js) nor a stack trace.
 */
export function describeLoadFailure(e: unknown, modelPath: string): string {
  const err = e as { message?: unknown; stack?: unknown; code?: unknown; name?: unknown };
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  const kind = name !== 'Error' ? `${name}: ` : '';
  const stack = typeof err?.stack === 'string' ? err.stack : '';
  // esbuild (compiling TypeScript for tsx): "Transform failed with 1 error:\n/path/m.ts:3:10: ERROR: text".
  const esb = /^Transform failed with (\d+) errors?:\n(.+?):(\d+):(\d+): ERROR: (.*)/.exec(raw);
  if (esb) {
    const more = Number(esb[1]) > 1 ? ` (and ${Number(esb[1]) - 1} more)` : '';
    return `${userPath(esb[2]!)}:${esb[3]}:${Number(esb[4]) + 1}: SyntaxError: ${esb[5]}${more}`;
  }
  const message = cleanPaths(raw);
  // A module that failed to link (an import naming nothing): V8 puts its place first, "file:///...:line".
  const head = /^((?:file:\/\/|\/)\S+?):(\d+)\n/.exec(stack);
  if (head && usersFile(head[1]!)) return `${userPath(head[1]!)}:${head[2]}: ${kind}${message}`;
  // A JavaScript file that does not parse: Node does not say which file or where; ask V8 again, file by file.
  if (name === 'SyntaxError' && !FRAME.test(stack.split('\n').slice(1).find((l) => !l.includes('node:')) ?? '')) {
    const at = syntaxErrorPlace(modelPath);
    if (at) return `${at}: ${kind}${message}`;
  }
  // A missing file or package: Node names the importer but not the line, so find the import in it.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
    const m = /Cannot find (?:module|package) '([^']+)'[^]*? imported from (\S+)/.exec(raw);
    if (m) {
      const importer = m[2]!.replace(/\?.*$/, '');
      const line = importLine(importer, m[1]!);
      return `${userPath(importer)}${line ? `:${line}` : ''}: ${kind}${message}`;
    }
  }
  // Anything thrown while the module ran: the innermost frame in the user's code.
  for (const frame of stack.split('\n').slice(1)) {
    const f = FRAME.exec(frame);
    if (f && usersFile(f[1]!)) return `${userPath(f[1]!)}:${f[2]}:${f[3]}: ${kind}${message}`;
  }
  return `${userPath(modelPath)}: ${kind}${message}`;
}

/** The line of `file` that imports `specifier` (as Node printed it: a bare name, or a relative import resolved to a path). */
function importLine(file: string, specifier: string): number | null {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { return null; }
  const name = isAbsolute(specifier) ? basename(specifier).replace(/\.[^.]*$/, '') : specifier;
  const i = text.split('\n').findIndex((l) => /\b(import|from|require)\b/.test(l) && l.includes(name));
  return i < 0 ? null : i + 1;
}

/**
 * Where a JavaScript model file, or a JavaScript file it imports (relatively, transitively), has a syntax
 * error, as `file:line:col`: `node --check` parses each as an ES module and prints the place. Node's own
 * error does not carry it. TypeScript files are left out: tsx reports their syntax errors with the place.
 */
function syntaxErrorPlace(modelPath: string): string | null {
  const seen = new Set<string>();
  const queue = [modelPath];
  while (queue.length && seen.size < 50) {
    const file = queue.shift()!;
    if (seen.has(file) || !/\.m?js$/.test(file) || !existsSync(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const r = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: source, encoding: 'utf8' });
    const m = /^\[stdin\]:(\d+)\n.*\n( *)\^/.exec(r.stderr ?? '');
    if (r.status !== 0 && m) return `${userPath(file)}:${m[1]}:${m[2]!.length + 1}`;
    for (const i of source.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) queue.push(resolve(dirname(file), i[1]!));
  }
  return null;
}
