// mc's command-line options: value parsers, the options of run and mutate, and a model's parameters as
// flags (the model argument is found before commander parses, so that they can be added); the search
// options they make, progress lines and Ctrl-C.
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { builtinModels } from '../models/index.js';
import { kebab, ModelError, type Model } from '../explorer/model.js';
import type { Progress, SearchOptions, Strategy } from '../explorer/search.js';
import { MAX_WORKERS } from '../run.js';
import { defaultMemoryBudget } from '../explorer/memory.js';
import { looksLikePath } from './load.js';
import { paramDoc } from './render.js';
import { err } from './output.js';

const natural = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
  return Number(v);
};
const workerCount = (v: string): number => {
  if (v === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`--workers must be 'auto' or a whole number from 1 to ${MAX_WORKERS}, got '${v}'`);
  return n;
};
const seconds = (v: string): number => {
  const x = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(x > 0)) throw new InvalidArgumentError(`--max-seconds must be a positive number of seconds, got '${v}'`);
  return x;
};
const seedParser = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError(`--seed must be an integer 0..4294967295, got '${v}'`);
  return Number(v);
};

/** Options that take a value, so the pre-scan can skip their values while looking for the model argument. */
const VALUE_OPTIONS = new Set(['--mutant', '--strategy', '--seed', '--walks', '--workers', '--parallel-from', '--max-states', '--max-seconds', '--max-memory', '--max-depth', '--trace-out']);

/**
 * The model named on the command line of `run`, `mutate` or `show`, found before commander parses so its params
 * become flags. Those flags are not known yet, so a parameter's value before the model (`--slots 4 ring`) looks
 * like a positional argument too: the model is the first one that names a built-in model or a file, else the first.
 */
export function modelArgument(argv: string[]): { command: string; model: string; index: number } | null {
  const command = argv[2];
  if (command !== 'run' && command !== 'mutate' && command !== 'show') return null;
  const positionals: number[] = [];
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { if (argv[i + 1]) positionals.push(i + 1); break; }
    if (a.startsWith('-')) { if (VALUE_OPTIONS.has(a)) i++; continue; }
    positionals.push(i);
  }
  const index = positionals.find((i) => looksLikePath(argv[i]!) || builtinModels.some((m) => m.name === argv[i])) ?? positionals[0];
  return index === undefined ? null : { command, model: argv[index]!, index };
}

/**
 * `--fixed` alone means `--fixed true`: a boolean parameter's flag gets `=true` when nothing follows it, an option
 * does, or the model argument does (`mc run --fixed ./m.ts`). Anything else after it is its value, which
 * coerceParam checks (so `--fixed maybe` is an error about the value, not a stray argument).
 */
export function expandBareBooleans(argv: string[], model: Model, modelIndex: number): string[] {
  const flags = new Set(Object.entries(model.def.params).filter(([, spec]) => spec.type === 'bool').map(([name]) => `--${kebab(name)}`));
  const out = [...argv];
  for (let i = 3; i < argv.length; i++) {
    if (argv[i] === '--') break;
    if (flags.has(argv[i]!) && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-') || i + 1 === modelIndex)) out[i] = `${argv[i]}=true`;
  }
  return out;
}

export function addParamOptions(cmd: Command, model: Model): void {
  for (const [name, spec] of Object.entries(model.def.params)) {
    const d = paramDoc(spec);
    const flag = `--${kebab(name)}`;
    const value = d.type === 'int' ? '<n>' : d.type === 'bool' ? '[true|false]' : '<value>';
    const help = `[${model.name}] ${spec.help} (${d.range}${d.type === 'bool' ? `, ${flag} alone: true` : ''}; default ${String(d.default)})`;
    let opt: Option;
    try { opt = new Option(`${flag} ${value}`, help); } catch {
      throw new ModelError(`model '${model.name}': parameter '${name}' cannot be a command-line flag (${flag}); name parameters with letters, digits and _`);
    }
    (opt as Option & { attributeName(): string }).attributeName = () => `param:${name}`;
    // Commander would refuse the second flag with an error that reads as mc's own fault.
    const taken = flag === '--help' ? '--help' : cmd.options.find((o) => o.long === flag)?.flags;
    if (taken) throw new ModelError(`model '${model.name}': parameter '${name}' would be the flag ${flag}, which mc ${cmd.name()} has already (${taken}); rename the parameter`);
    cmd.addOption(opt);
  }
}

export function givenParams(model: Model | null, opts: Record<string, unknown>): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  if (!model) return given;
  for (const name of Object.keys(model.def.params)) if (opts[`param:${name}`] !== undefined) given[name] = opts[`param:${name}`];
  return given;
}

export interface RunOpts { workers: number; parallelFrom?: number; liveness?: boolean; symmetry?: boolean; symmetryAudit?: 'quick' | 'full'; mutant?: string; strategy: Strategy; seed: number; walks: number; maxStates?: number; maxSeconds?: number; maxMemory?: number; maxDepth?: number; exact?: boolean; json?: boolean; jsonl?: boolean; traceOut?: string; continue?: boolean; progress?: boolean; debug?: boolean }

export function progressPrinter(enabled: boolean): (p: Progress) => void {
  if (!enabled) return () => {};
  const tty = process.stderr.isTTY;
  return (p) => {
    const line = p.phase === 'liveness' ? `  liveness pass over ${Math.round(p.distinct).toLocaleString('en-US')} states · ${(p.memoryBytes / 2 ** 20).toFixed(0)} MiB · ${p.seconds.toFixed(0)} s` : `  ${Math.round(p.distinct).toLocaleString('en-US')} distinct · ${Math.round(p.generated).toLocaleString('en-US')} generated · depth ${p.depth} · frontier ${p.frontier.toLocaleString('en-US')} · ${Math.round(p.distinct / Math.max(p.seconds, 1e-9)).toLocaleString('en-US')} distinct/s · ${(p.memoryBytes / 2 ** 20).toFixed(0)} MiB · ${p.seconds.toFixed(0)} s`;
    err(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

/** Ctrl-C: the first stops the search (statistics so far, exit 4); a second one exits at once. */
export function interruptFlag(): { interrupted: () => boolean; signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSig = (): void => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    err('\nmc: interrupted; finishing with the statistics so far (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  return { interrupted: () => ac.signal.aborted, signal: ac.signal, dispose: () => { process.off('SIGINT', onSig); process.off('SIGTERM', onSig); } };
}

/** mutate's search options (run's go through assembleRun, with the same meaning). */
export function searchOptions(o: RunOpts, progress: boolean): Partial<SearchOptions> {
  return {
    workers: o.workers, ...(o.parallelFrom !== undefined ? { parallelFrom: o.parallelFrom } : {}),
    strategy: o.strategy, seed: o.seed, walks: o.walks, exact: !!o.exact, debug: !!o.debug, liveness: o.liveness !== false, symmetry: o.symmetry !== false,
    ...(o.maxStates ? { maxStates: o.maxStates } : {}), ...(o.maxSeconds ? { maxSeconds: o.maxSeconds } : {}), ...(o.maxMemory ? { maxMemoryBytes: o.maxMemory * 2 ** 20 } : {}), ...(o.maxDepth ? { maxDepth: o.maxDepth } : {}),
    onProgress: progressPrinter(progress),
  };
}

/** The default memory budget as --help states it. */
const MEMORY_DEFAULT_HELP = `three quarters of this machine's memory or of its cgroup's limit: ${Math.round(defaultMemoryBudget() / 2 ** 20)} MiB here`;

export function runOptions(cmd: Command): Command {
  return cmd
    .option('--mutant <id>', 'run a declared mutant instead of the correct model')
    .addOption(new Option('--strategy <name>', 'search strategy: bfs (shortest counterexamples), dfs, random (seeded walks)').choices(['bfs', 'dfs', 'random']).default('bfs'))
    .option('--seed <n>', 'seed of the random strategy', seedParser, 1)
    .option('--walks <n>', 'number of walks of the random strategy (each at most --max-depth steps; there --max-depth defaults to 1000)', natural('--walks'), 100)
    .option('--max-states <n>', 'stop (verdict incomplete) after this many distinct states', natural('--max-states'))
    .option('--max-seconds <s>', 'stop (verdict incomplete) after this many seconds', seconds)
    .option('--max-memory <MiB>', `stop (verdict incomplete) when the whole process (every thread, the model's setup, the liveness pass) uses more resident memory than this (default: ${MEMORY_DEFAULT_HELP})`, natural('--max-memory'))
    .option('--max-depth <d>', 'do not explore beyond this depth (verdict incomplete if deeper states exist)', natural('--max-depth'))
    .option('--workers <n>', "worker threads for the breadth-first search, or 'auto' for one per CPU (results are identical for any number; it pays on models of millions of states, and slows small ones)", workerCount, 1)
    .option('--parallel-from <states>', 'with --workers: search on one thread until a level has this many states, then on all (results are the same either way)', natural('--parallel-from'), 10000)
    .option('--no-liveness', 'skip the liveness pass (no state graph is stored)')
    .option('--no-symmetry', 'search every state, not one per orbit of the scalarsets the model declares (symmetry is on where a model declares scalarsets)')
    .addOption(new Option('--symmetry-audit <how>', "with symmetry, how each kept state's actions are checked against its permutations: quick (every permutation for the first states, then one per state in turn) or full (every permutation at every state: exact, about as slow as --no-symmetry); properties are checked under every permutation either way").choices(['quick', 'full']).default('quick'))
    .option('--exact', 'store full states instead of fingerprints (rules out hash collisions; more memory)')
    .option('--json', 'print one JSON document (schema mc.result/1 or mc.mutate/1) instead of text')
    .option('--progress', 'print progress to stderr every 2 s (default: only when stderr is a terminal)')
    .option('--no-progress', 'never print progress')
    .option('--debug', 'check that actions are deterministic and never write their input; show stack traces');
}
