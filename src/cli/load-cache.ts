// A cache of model files as plain ES modules, so that a model loads without tsx and without module hooks
// after its first run: those cost about 0.2 s (tsx's import and its hooks thread, esbuild) in every
// thread that loads a model, where a cached model costs a few file reads and hashes.
//
// The first load goes through tsx as before, and load-record.ts reports each resolution and the JavaScript
// tsx made of each file. The model's own files (every file it imports, transitively, outside node_modules
// and mc's dist/) are then written as .mjs files of one entry, each import rewritten to the URL it resolved
// to (another file of the entry, or a package's file as it is), and `import.meta` to the original file's
// (so goldenFile(import.meta.url) and stack traces, through tsx's source maps, name the user's files). An
// index file, named by the hash of the model's path and the versions of mc, tsx and Node, lists the files
// with the hash of their content, the package.json and tsconfig.json files that decide how they compile
// and resolve, and the package files they import. A run uses the entry only if every one of them is
// unchanged; anything else (an edited import, a new package.json, a removed package file) loads through
// tsx again and writes a new entry. What the rewrite cannot keep exact (CommonJS, require, import.meta
// other than url/filename/dirname, a dynamic import not seen on the first load) is not cached at all.
//
// Writes are atomic (a temporary file or directory, then rename), so concurrent runs (mc check, workers)
// never read a half-written entry. MC_CACHE_DIR sets the place; MC_CACHE=off (or --no-cache) turns it off.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, threadId, type MessagePort } from 'node:worker_threads';
import type { Record as LoadRecord } from './load-record.js';

/** Bumped when what an entry holds, or how it is made, changes: older entries are then never used. */
const FORMAT = 1;

/** mc's own package root (this file is dist/src/cli/load-cache.js). */
const MC_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MC_DIST = join(MC_ROOT, 'dist') + sep;

export const cacheEnabled = (): boolean => !/^(0|off|false|no)$/i.test(process.env.MC_CACHE ?? '');

/**
 * Where entries live: $MC_CACHE_DIR; else node_modules/.cache/mc in the nearest directory above the model
 * file that has node_modules (as other tools keep theirs, and removed with node_modules); else
 * $XDG_CACHE_HOME/mc, or ~/.cache/mc.
 */
export function cacheDir(modelPath: string): string {
  if (process.env.MC_CACHE_DIR) return resolve(process.env.MC_CACHE_DIR);
  for (let d = dirname(modelPath); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules', '.cache', 'mc');
    if (dirname(d) === d) break;
  }
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mc');
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
/** A file's content hash, or null if it cannot be read (a file that must be absent is recorded so). */
const fileHash = (path: string): string | null => { try { return sha(readFileSync(path)); } catch { return null; } };

let versionsMemo: string | null = null;
/** mc's, tsx's and Node's versions: a new one of any may compile or resolve differently. */
function versions(): string {
  if (versionsMemo !== null) return versionsMemo;
  const version = (file: string): string => { try { return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version); } catch { return '?'; } };
  let tsx = '?';
  try { tsx = version(fileURLToPath(import.meta.resolve('tsx/package.json'))); } catch { /* not installed: no cache entry is ever written */ }
  versionsMemo = `format ${FORMAT}, mc ${version(join(MC_ROOT, 'package.json'))}, tsx ${tsx}, node ${process.version}`;
  return versionsMemo;
}

/** The index file of a model: by its path, the versions, and the tsconfig.json tsx would read (found from the working directory up). */
function indexFile(dir: string, modelPath: string): string {
  const key = JSON.stringify([versions(), modelPath, process.cwd(), process.env.TSX_TSCONFIG_PATH ?? null]);
  return join(dir, 'index', `${sha(key).slice(0, 32)}.json`);
}

/** What an index file holds: the entry, and every file whose content it depends on (null: must not exist). */
interface Index { entry: string; files: [string, string | null][] }

/**
 * The model loaded from its cache entry, or null when there is none for it as its files are now (or the
 * cache is off). Errors (the entry's files gone, a package it imports changed so that it no longer links)
 * also give null: the caller loads through tsx, which reports them as it always has.
 */
export async function importCached(modelPath: string): Promise<Record<string, unknown> | null> {
  if (!cacheEnabled()) return null;
  const dir = cacheDir(modelPath);
  let index: Index;
  try { index = JSON.parse(readFileSync(indexFile(dir, modelPath), 'utf8')) as Index; } catch { return null; }
  if (!Array.isArray(index.files) || typeof index.entry !== 'string' || !/^[0-9a-f]+$/.test(index.entry)) return null;
  for (const [file, hash] of index.files) if (fileHash(file) !== hash) return null;
  const main = join(dir, 'entries', index.entry, '0.mjs');
  if (!existsSync(main)) return null;
  // tsx turns them on too: stack traces then name the user's .ts files and lines, through the inline maps.
  process.setSourceMapsEnabled(true);
  try { return (await import(pathToFileURL(main).href)) as Record<string, unknown>; } catch { return null; }
}

// ---------- recording the first load ----------

let recorder: { port: MessagePort; resolved: Map<string, Map<string, string>>; loaded: Map<string, { format: string | null; source: string | null }> } | null = null;

/** Registers load-record.ts after tsx's hooks (once per thread); from then on every resolution and load is recorded. */
export function startRecording(): void {
  if (recorder !== null || !cacheEnabled()) return;
  const { port1, port2 } = new MessageChannel();
  const r = { port: port1, resolved: new Map<string, Map<string, string>>(), loaded: new Map<string, { format: string | null; source: string | null }>() };
  port1.on('message', (m: LoadRecord) => {
    if (m.type === 'resolve') { let byParent = r.resolved.get(m.parent); if (!byParent) r.resolved.set(m.parent, byParent = new Map()); byParent.set(m.specifier, m.url); }
    else if (m.type === 'load') r.loaded.set(m.url, { format: m.format, source: m.source });
  });
  port1.unref();
  register(new URL('./load-record.js', import.meta.url), { data: { port: port2 }, transferList: [port2] });
  recorder = r;
}

/** Waits until every report the hooks sent before now has arrived (messages on one port keep their order). */
function flush(port: MessagePort): Promise<void> {
  return new Promise((done) => {
    const on = (m: LoadRecord): void => { if (m.type === 'flushed') { port.off('message', on); port.unref(); done(); } };
    port.on('message', on);
    port.ref();
    port.postMessage('flush');
  });
}

const isLocal = (url: string): boolean => url.startsWith('file:') && !url.includes('/node_modules/') && !fileURLToPath(url).startsWith(MC_DIST);
const stripQuery = (url: string): string => url.replace(/[?#].*$/, '');

/** The package.json files (and absent ones nearer) from a file's directory up to the first that exists: they decide its format and its imports. */
function packageFiles(file: string, into: Map<string, string | null>, name = 'package.json', from = dirname(file)): void {
  for (let d = from; ; d = dirname(d)) {
    const p = join(d, name);
    if (into.has(p)) return;
    const h = fileHash(p);
    into.set(p, h);
    if (h !== null || dirname(d) === d) return;
  }
}

/**
 * After `modelUrl` (the model file's URL as load.ts imports it) loaded through tsx and proved a model: writes
 * its cache entry, if it can be kept exactly. Never fails the run: a cache that cannot be written is no cache.
 */
export async function saveEntry(modelPath: string, modelUrl: string): Promise<void> {
  const r = recorder;
  if (r === null || !cacheEnabled()) return;
  try {
    await flush(r.port);
    const { init, parse } = await import('es-module-lexer');
    await init;
    // The model's own modules, from the model file along the recorded resolutions.
    const order: string[] = [modelUrl];
    const deps = new Map<string, string | null>();
    for (let i = 0; i < order.length; i++) {
      const url = order[i]!;
      const rec = r.loaded.get(url);
      if (!rec || rec.format !== 'module' || rec.source === null) return; // CommonJS, JSON, ...: not kept
      for (const target of r.resolved.get(url)?.values() ?? []) {
        if (isLocal(target)) { if (!order.includes(target)) order.push(target); }
        else if (target.startsWith('file:')) {
          const p = fileURLToPath(target);
          if (!/\.(m?js|cjs|json|node)$/.test(p)) return; // a package's TypeScript file: only tsx can load it
          deps.set(p, fileHash(p));
          packageFiles(p, deps);
        } else if (!target.startsWith('node:')) return;
      }
    }
    const dir = cacheDir(modelPath);
    const files = new Map<string, string | null>(deps);
    for (const url of order) { const p = fileURLToPath(stripQuery(url)); files.set(p, fileHash(p)); packageFiles(p, files); }
    packageFiles('', files, 'tsconfig.json', process.cwd());
    const entry = sha(JSON.stringify([versions(), modelUrl, [...files].sort()])).slice(0, 32);
    const entryDir = join(dir, 'entries', entry);
    const cachedUrl = (url: string): string => pathToFileURL(join(entryDir, `${order.indexOf(url)}.mjs`)).href;
    const sources: string[] = [];
    for (const url of order) {
      const s = rewrite(r.loaded.get(url)!.source!, url, r.resolved.get(url) ?? new Map(), (t) => (isLocal(t) ? cachedUrl(t) : t), parse);
      if (s === null) return;
      sources.push(s);
    }
    if (!existsSync(entryDir)) {
      const tmp = join(dir, 'entries', `.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`);
      mkdirSync(tmp, { recursive: true });
      sources.forEach((s, i) => writeFileSync(join(tmp, `${i}.mjs`), s));
      try { renameSync(tmp, entryDir); } catch { rmSync(tmp, { recursive: true, force: true }); } // another run wrote the same entry
    }
    const index = indexFile(dir, modelPath);
    mkdirSync(dirname(index), { recursive: true });
    const tmp = `${index}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify({ entry, files: [...files] } satisfies Index));
    renameSync(tmp, index);
  } catch { /* no cache this time */ }
}

type Parse = typeof import('es-module-lexer').parse;

/**
 * A module's JavaScript with each import naming the URL it resolved to, and import.meta the original file's;
 * null if that cannot be done exactly (an import not resolved on the first load, or import.meta used otherwise).
 */
function rewrite(source: string, url: string, resolved: Map<string, string>, to: (target: string) => string, parse: Parse): string | null {
  const [imports] = parse(source);
  const file = fileURLToPath(stripQuery(url));
  const meta = `({ url: ${JSON.stringify(url)}, filename: ${JSON.stringify(file)}, dirname: ${JSON.stringify(dirname(file))} })`;
  const edits: { s: number; e: number; text: string }[] = [];
  for (const i of imports) {
    let text: string;
    if (i.d === -2) {
      // import.meta: only its url, filename and dirname (what a model uses: goldenFile(import.meta.url)).
      if (!/^\.(url|filename|dirname)\b/.test(source.slice(i.e, i.e + 9))) return null;
      text = meta;
    } else {
      if (i.n === undefined) return null; // import(expression)
      const target = resolved.get(i.n);
      if (target === undefined) return null; // not imported on the first load
      const spec = target.startsWith('node:') ? target : to(target);
      if (i.d === -1) {
        const quote = source[i.s - 1]!;
        if (spec.includes(quote) || spec.includes('\\') || spec.includes('\n')) return null;
        text = spec;
      } else text = JSON.stringify(spec);
    }
    edits.push({ s: i.s, e: i.e, text });
  }
  let out = '', at = 0;
  for (const x of edits) { out += source.slice(at, x.s) + x.text; at = x.e; }
  out += source.slice(at);
  return shiftSourceMap(out, source, edits);
}

// ---------- the inline source map, after the edits ----------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SOURCE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

function vlqDecode(seg: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const ch of seg) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) { shift += 5; continue; }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0; shift = 0;
  }
  return out;
}
function vlqEncode(xs: number[]): string {
  let s = '';
  for (const x of xs) {
    let v = x < 0 ? (-x << 1) | 1 : x << 1;
    do { let d = v & 31; v >>>= 5; if (v) d |= 32; s += B64[d]; } while (v);
  }
  return s;
}

/**
 * The edits change lengths within lines (tsx writes a whole module on few lines), so the columns the inline
 * source map gives for the code after an edit move by its change in length: without this, stack traces
 * would name the wrong lines of the user's file. Returns null if there is a map it cannot read.
 */
function shiftSourceMap(out: string, source: string, edits: { s: number; e: number; text: string }[]): string | null {
  const m = SOURCE_MAP.exec(out);
  if (!m) return out; // no map: nothing to keep in step
  let map: { mappings?: unknown };
  try { map = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { mappings?: unknown }; } catch { return null; }
  if (typeof map.mappings !== 'string') return null;
  // Per generated line: the columns (in the original text) where an edit ends, and how much it lengthened that line.
  const byLine = new Map<number, { col: number; delta: number }[]>();
  let line = 0, lineStart = 0, pos = 0;
  for (const x of edits) {
    for (; pos < x.s; pos++) if (source.charCodeAt(pos) === 10) { line++; lineStart = pos + 1; }
    if (source.slice(x.s, x.e).includes('\n') || x.text.includes('\n')) return null;
    let list = byLine.get(line);
    if (!list) byLine.set(line, list = []);
    list.push({ col: x.e - lineStart, delta: x.text.length - (x.e - x.s) });
  }
  const lines = map.mappings.split(';');
  for (const [ln, list] of byLine) {
    if (ln >= lines.length || !lines[ln]) continue;
    let col = 0, newPrev = 0;
    lines[ln] = lines[ln]!.split(',').map((seg) => {
      const f = vlqDecode(seg);
      col += f[0]!;
      const moved = col + list.filter((x) => x.col <= col).reduce((a, x) => a + x.delta, 0);
      f[0] = moved - newPrev;
      newPrev = moved;
      return vlqEncode(f);
    }).join(',');
  }
  const mapped = Buffer.from(JSON.stringify({ ...map, mappings: lines.join(';') })).toString('base64');
  return `${out.slice(0, m.index)}\n//# sourceMappingURL=data:application/json;base64,${mapped}\n`;
}
