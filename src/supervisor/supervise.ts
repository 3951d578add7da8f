// The supervisor: runs a job (protocol.ts) on a search thread and watches it from the calling thread,
// which stays free while the search runs. It turns Ctrl-C (an AbortSignal), the time budget and the
// memory budget into a stop request the search reads once per state (control.ts). A search that does not
// answer within GRACE_MS while model code runs (a guard that loops, a setup that never returns) is
// stopped: its thread is terminated (Worker.terminate stops even a busy loop, and the helper threads it
// started end with it), and the report names what was running, from the probes, and the state it was
// given. Memory is the resident size of the whole process (every thread), polled every POLL_MS, so the
// model's setup, every worker and the liveness pass are counted; a search that goes HARD_OVER past the
// budget before it has stopped is terminated at once.
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelError, UsageError } from '../explorer/model.js';
import { decodeState, DomainError, type Layout } from '../explorer/schema.js';
import {
  Control, PHASE_LIVENESS, PHASE_NAMES, PHASE_REPORT, PHASE_SETUP, probeParts, readWho, STOP_INTERRUPT, STOP_MEMORY, STOP_REASONS, STOP_TIME, WHO,
  type PhaseName,
} from '../explorer/control.js';
import type { Progress, StuckReport } from '../explorer/search.js';
import type { MutantOutcome } from '../cli/mutation.js';
import type { Job, RunStart, ThreadData, ThreadError, ThreadMessage } from './protocol.js';
import { looksLikePath } from '../cli/load.js';

/** How long a search may take to stop once asked, while model code runs (or the model is set up). */
export const GRACE_MS = 1500;
/** How long it may take while only the engine's own code runs (it polls the stop request; this is a backstop). */
const ENGINE_GRACE_MS = 10_000;
/** How often the resident size is read. */
const POLL_MS = 20;
/** Past budget × HARD_OVER the search thread is stopped without waiting. */
const HARD_OVER = 1.1;

const THREAD = new URL('./search-thread.js', import.meta.url);
/** Whether the search thread's script exists (it does in the built package; not when mc runs from its TypeScript sources). */
export const searchThreadAvailable = (): boolean => existsSync(fileURLToPath(THREAD));

/** How a job names its model: a file by its absolute path (as loadModel sets Model.source), a built-in model by its name. */
const refKey = (ref: string): string => (looksLikePath(ref) ? resolvePath(ref) : ref);

/** A search thread started before its job: it loads the model meanwhile (see prewarm). */
let warm: { key: string; worker: Worker; exited: boolean } | null = null;

/**
 * Starts the search thread of a run on `modelRef` now, so that it loads the model while this thread loads
 * it too (for its flags): loading a TypeScript model takes each thread about 0.3 s (tsx), and on two CPUs
 * the two loads overlap. The next supervised job on that model takes the thread; if none comes (a usage
 * error, --help), the thread does not keep the process alive.
 */
export function prewarm(modelRef: string): void {
  if (warm !== null || !searchThreadAvailable()) return;
  const worker = new Worker(THREAD, { workerData: { prewarm: refKey(modelRef) } });
  worker.unref();
  worker.on('error', () => { /* a job for this model meets the same failure in a thread of its own */ });
  const w = { key: refKey(modelRef), worker, exited: false };
  worker.once('exit', () => { w.exited = true; });
  warm = w;
}

/** The search thread for `job`: the prewarmed one if it loads the same model, else a new one. */
function threadFor(job: Job, control: Control): Worker {
  const w = warm;
  warm = null;
  const data: ThreadData = { job, control: control.buffer };
  if (w !== null && !w.exited && w.key === refKey(job.modelRef)) {
    w.worker.ref();
    w.worker.removeAllListeners('error');
    w.worker.postMessage(data);
    return w.worker;
  }
  void w?.worker.terminate();
  return new Worker(THREAD, { workerData: data });
}

export interface SuperviseOptions {
  /** Seconds each part of the job may take: the setup, then each search (mc mutate and mc check run several). */
  readonly maxSeconds?: number;
  /** Bytes of resident memory the whole process may use. */
  readonly maxMemoryBytes: number;
  /** Aborted: stop (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  readonly onRow?: (row: MutantOutcome) => void;
}

/** A job the supervisor stopped by terminating its thread: why, where, and what was running. */
export interface Stopped {
  readonly reason: 'interrupted' | 'max-seconds' | 'max-memory';
  readonly phase: PhaseName;
  readonly stuck: StuckReport;
  /** The run that was going on (null during the first setup). */
  readonly run: RunStart | null;
  /** Its counts as of its last progress report. */
  readonly counts: { distinct: number; generated: number; depth: number };
  /** Seconds since that run began; expanders (probes) it had; the process's peak resident size. */
  readonly seconds: number;
  readonly workers: number;
  readonly peakMemoryBytes: number;
}

export type Outcome<T> = { readonly done: T; readonly stopped?: undefined } | { readonly done?: undefined; readonly stopped: Stopped };

/** Runs `job` on a search thread, supervised; resolves with its value, or with why it was stopped; rejects with the error it threw. */
export function supervise<T>(job: Job, o: SuperviseOptions): Promise<Outcome<T>> {
  return new Promise<Outcome<T>>((resolve, reject) => {
    const control = new Control();
    const worker = threadFor(job, control);
    let run: RunStart | null = null, probes: SharedArrayBuffer[] = [];
    let segmentStart = performance.now(), peak = process.memoryUsage.rss();
    let asked = 0, askedAt = 0, overMemory = 0;
    let grace: ReturnType<typeof setTimeout> | undefined, deadline: ReturnType<typeof setTimeout> | undefined;
    let finished = false;

    const finish = (then: () => void): void => {
      if (finished) return;
      finished = true;
      clearInterval(poll); clearTimeout(grace); clearTimeout(deadline);
      o.signal?.removeEventListener('abort', onAbort);
      then();
    };
    /** Asks the search to stop, and gives it GRACE_MS to do so. */
    const ask = (code: number): void => {
      control.requestStop(code);
      if (asked !== 0) return;
      asked = code; askedAt = performance.now();
      grace = setTimeout(waitOrStop, GRACE_MS);
    };
    /** The search has not stopped: stop its thread if model code runs (or the setup does), else wait for the engine a while longer. */
    const waitOrStop = (): void => {
      const engineOnly = control.phase !== PHASE_SETUP && !probes.some((p) => readWho(Atomics.load(new Int32Array(p, 0, 1), WHO)) !== null);
      if (engineOnly && performance.now() - askedAt < ENGINE_GRACE_MS) { grace = setTimeout(waitOrStop, 250); return; }
      stopThread();
    };
    let stopping = false;
    const stopThread = (): void => {
      if (stopping || finished) return;
      stopping = true;
      const waited = (performance.now() - askedAt) / 1000;
      // A thread stuck in native code may not end at once; report anyway after a while.
      const late = setTimeout(() => finish(() => resolve({ stopped: report(waited) })), 3000);
      void worker.terminate().finally(() => { clearTimeout(late); finish(() => resolve({ stopped: report(waited) })); });
    };
    const report = (waited: number): Stopped => {
      const reason = (STOP_REASONS[asked || STOP_INTERRUPT] || 'interrupted') as Stopped['reason'];
      const phase = PHASE_NAMES[control.phase] ?? 'setup';
      return {
        reason, phase, run, counts: run ? control.getCounts() : { distinct: 0, generated: 0, depth: 0 },
        stuck: describeStuck(run, probes, control.phase, reason, waited, overMemory, o.maxMemoryBytes),
        seconds: (performance.now() - segmentStart) / 1000, workers: Math.max(1, probes.length - 1), peakMemoryBytes: peak,
      };
    };
    const armDeadline = (): void => {
      clearTimeout(deadline);
      if (o.maxSeconds !== undefined && Number.isFinite(o.maxSeconds)) deadline = setTimeout(() => ask(STOP_TIME), o.maxSeconds * 1000);
    };
    /** A new part of the job began (a run, or the setup after one): a time or memory stop asked before is over. */
    const newSegment = (): void => {
      segmentStart = performance.now();
      if (asked === STOP_TIME || asked === STOP_MEMORY) { clearTimeout(grace); asked = 0; }
      armDeadline();
    };

    const onAbort = (): void => ask(STOP_INTERRUPT);
    if (o.signal?.aborted) onAbort(); else o.signal?.addEventListener('abort', onAbort);
    armDeadline();
    const poll = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
      if (rss <= o.maxMemoryBytes) return;
      ask(STOP_MEMORY);
      if (rss > o.maxMemoryBytes * HARD_OVER) { overMemory = rss; stopThread(); }
    }, POLL_MS);

    worker.on('message', (m: ThreadMessage) => {
      if (finished || stopping) return;
      switch (m.type) {
        case 'started': run = m.run; probes = [m.run.probe]; newSegment(); break;
        case 'probe': probes.push(m.probe); break;
        case 'progress': o.onProgress?.(m.progress); break;
        case 'row': newSegment(); o.onRow?.(m.row); break;
        case 'done': worker.unref(); finish(() => resolve({ done: m.value as T })); break;
        case 'error': worker.unref(); finish(() => reject(rebuild(m.error))); break;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (stopping) return;
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        // V8's heap limit for the thread (--max-old-space-size) came before the memory budget.
        asked ||= STOP_MEMORY; askedAt ||= performance.now();
        finish(() => resolve({ stopped: { ...report(0), reason: 'max-memory', stuck: { running: 'the search thread', waited: 0, message: `the search thread's JavaScript heap reached V8's limit (${e.message}); it was stopped` } } }));
        return;
      }
      finish(() => reject(e));
    });
    worker.on('exit', (code) => stopping || finish(() => reject(new Error(`the search thread exited (status ${code}) before it finished`))));
  });
}

/** The job's error as its own class again, so that callers map it to the same exit code. */
function rebuild(e: ThreadError): Error {
  const err = e.kind === 'usage' ? new UsageError(e.message)
    : e.kind === 'model' ? new ModelError(e.message, { ...(e.action ? { action: e.action } : {}), ...(e.field ? { field: e.field } : {}), ...(e.thrown ? { cause: Object.assign(new Error(e.message), { stack: e.thrown }) } : {}) })
    : e.kind === 'domain' ? new DomainError(e.message, e.field ?? '')
    : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

const MiB = 2 ** 20;

/** What was running when the search thread was stopped (from the probes), the state it was given, and a sentence saying so. */
export function describeStuck(run: RunStart | null, probes: readonly SharedArrayBuffer[], phase: number, reason: string, waited: number, overMemory: number, budget: number): StuckReport {
  let found: Omit<StuckReport, 'waited' | 'message'> | null = null;
  if (run !== null && phase !== PHASE_SETUP) {
    for (const p of probes) {
      const who = readWho(Atomics.load(new Int32Array(p, 0, 1), WHO));
      if (who === null) continue;
      const { cur, scratch } = probeParts(p, run.slots);
      let state: Record<string, unknown> | undefined;
      try { state = decodeState({ schema: run.schema } as Layout, who.onScratch ? scratch : cur, 0); } catch { state = undefined; }
      const at = state ? { state } : {};
      switch (who.kind) {
        case 'action': {
          const a = run.actions[who.index];
          found = a ? { running: `action ${a.name} [${a.actor}]`, action: a.name, ...at } : { running: `action #${who.index}`, ...at };
          break;
        }
        case 'invariant': { const name = run.info.invariants[who.index]?.name ?? `#${who.index}`; found = { running: `invariant ${name}`, property: name, ...at }; break; }
        case 'step': { const name = run.info.steps[who.index]?.name ?? `#${who.index}`; found = { running: `step property ${name} (on a step from the state shown)`, property: name, ...at }; break; }
        case 'goal': { const name = run.goals[who.index] ?? `#${who.index}`; found = { running: `goal ${name} (sometimes)`, property: name, ...at }; break; }
        case 'liveness': { const name = run.liveness[who.index] ?? `#${who.index}`; found = { running: `liveness property ${name}'s predicate`, property: name, ...at }; break; }
        case 'constraint': found = { running: 'the state constraint', ...at }; break;
        case 'deadlock': found = { running: "the deadlock policy's terminal-state predicate", ...at }; break;
      }
      if (found) break;
    }
  }
  const running = found?.running ?? (
    phase === PHASE_SETUP ? "the model's setup (its module, or its state, init, actions or property functions)"
      : phase === PHASE_LIVENESS ? 'the liveness pass'
        : phase === PHASE_REPORT ? 'building the report (re-executing actions for its counterexamples)'
          : 'the search');
  // (In a setup after a run, as between mc mutate's mutants, the run before is not the one being set up.)
  const of = run ? ` of model ${run.info.model.name}${run.info.mutant && phase !== PHASE_SETUP ? ` (mutant ${run.info.mutant})` : ''}` : '';
  const message = overMemory > 0
    ? `the process took ${Math.round(overMemory / MiB)} MiB, past its memory budget of ${Math.round(budget / MiB)} MiB, while ${running} was running: mc stopped the search thread${of}`
    : `${running} did not return within ${waited.toFixed(1)} s of the request to stop (${reason}): mc stopped the search thread${of}`;
  return { ...(found ?? { running }), waited, message };
}
