// The threads of a parallel search: the helper threads' loop (serveWorker: workers 1..N-1 take the main
// thread's commands) and the main thread's side (Crew: starts the helpers, posts each level and runs
// worker 0's share of it). See level-protocol.ts for how a level runs.
import type { CompiledModel } from './model.js';
import { newProbe } from './control.js';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import {
  bucketsFor, CTL_BUCKET, CTL_COMMANDS, CTL_NEXT, CTL_QUIT, CTL_RELEASED, CTL_WORDS, sharedInts, SPIN_MS,
  type InitMessage, type LevelMessage, type LevelResult, type LevelWorker, type SeedMessage,
} from './level-protocol.js';
import { seedTables } from './bucket-tables.js';
import { levelWorker } from './parallel.js';

interface Port { on(ev: 'message', f: (m: any) => void): void }

/** Waits until ctl[i] differs from `seen`: spins briefly, then sleeps; false if the run is over. */
function waitChange(ctl: Int32Array, i: number, seen: number): boolean {
  const t0 = performance.now();
  while (Atomics.load(ctl, i) === seen) {
    if (Atomics.load(ctl, CTL_QUIT) !== 0) return false;
    if (performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, i, seen, 50);
  }
  return Atomics.load(ctl, CTL_QUIT) === 0;
}

/** A helper thread (workers 1..N-1): takes the main thread's commands until the run ends (CTL_QUIT). */
export function serveWorker(c: CompiledModel, debug: boolean, port: Port): void {
  port.on('message', (init: InitMessage) => {
    const ctl = new Int32Array(init.ctl);
    const lw = levelWorker(c, debug, { ctl, counts: new Int32Array(init.counts), workers: init.workers, buckets: init.buckets, self: init.self, toPeer: init.toPeer, fromPeer: init.fromPeer, probe: init.probe });
    serve: for (let done = 0; ; ) {
      if (!waitChange(ctl, CTL_COMMANDS, done)) break;
      done++;
      const got = receiveMessageOnPort(init.commands);
      if (got === undefined) throw new Error('a worker was told of a command that was not there');
      const m = got.message as SeedMessage | LevelMessage;
      if (m.type === 'seed') { lw.seed(m.tables); continue; }
      lw.startLevel(m);
      lw.expandChunks(Infinity);
      const fin = lw.finishLevel();
      for (let r = fin.next(); !r.done; r = fin.next()) if (!waitChange(ctl, CTL_RELEASED, r.value - 1)) break serve;
    }
    for (const q of [init.commands, ...init.toPeer, ...init.fromPeer]) q?.close();
  });
}

/** Atomics.waitAsync (Node 16+; not in TypeScript's ES2022 library). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/**
 * The main thread's side of a parallel search: it starts the helpers (workers 1..N-1; they load the
 * model while the search goes on sequentially) and runs worker 0's share of each level itself.
 */
export class Crew {
  readonly ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_WORDS));
  private readonly helpers: Worker[];
  private readonly failed: Error[] = [];
  private readonly commands: MessageChannel[];
  private readonly pairs: (MessageChannel | null)[][];
  private readonly mine: LevelWorker;
  /** How many buckets split the fingerprint space (see bucketsFor). */
  private readonly buckets: number;

  /**
   * `onProbe` (a supervised run) is given each worker's probe (control.ts), so that a supervisor can
   * name the model code a worker runs.
   */
  constructor(c: CompiledModel, debug: boolean, readonly workers: number, spawn: () => Worker, onProbe: ((probe: SharedArrayBuffer) => void) | null = null) {
    const ctl = this.ctl;
    this.buckets = bucketsFor(workers);
    const counts = sharedInts(workers * workers + workers * this.buckets);
    const probes = Array.from({ length: workers }, () => newProbe(c.layout.slots));
    for (const p of probes) onProbe?.(p);
    this.helpers = Array.from({ length: workers - 1 }, () => spawn());
    // A command channel per helper, and one channel per ordered pair of workers (new buffers, results, grown frontier buffers).
    this.commands = this.helpers.map(() => new MessageChannel());
    this.pairs = Array.from({ length: workers }, (_, u) => Array.from({ length: workers }, (__, v) => (u === v ? null : new MessageChannel())));
    this.helpers.forEach((w, h) => {
      const self = h + 1, to = this.toPeer(self), from = this.fromPeer(self);
      w.on('error', (e) => { this.failed.push(e); Atomics.store(ctl, CTL_QUIT, 1); Atomics.notify(ctl, CTL_RELEASED); });
      const ports = [this.commands[h]!.port2, ...to, ...from].filter((q): q is MessagePort => q !== null);
      w.postMessage({ type: 'init', ctl: ctl.buffer as SharedArrayBuffer, counts: counts.buffer as SharedArrayBuffer, workers, buckets: this.buckets, self, commands: this.commands[h]!.port2, toPeer: to, fromPeer: from, probe: probes[self]! } satisfies InitMessage, ports);
    });
    this.mine = levelWorker(c, debug, { ctl, counts, workers, buckets: this.buckets, self: 0, toPeer: this.toPeer(0), fromPeer: this.fromPeer(0), probe: probes[0]! });
  }
  private toPeer(u: number): (MessagePort | null)[] { return this.pairs[u]!.map((ch) => ch?.port1 ?? null); }
  private fromPeer(v: number): (MessagePort | null)[] { return this.pairs.map((row) => row[v]?.port2 ?? null); }

  /** Posts a command to every helper, then moves CTL_COMMANDS so the waiting helpers read it. */
  private command(msg: SeedMessage | LevelMessage): void {
    for (const ch of this.commands) ch.port1.postMessage(msg);
    Atomics.add(this.ctl, CTL_COMMANDS, 1); Atomics.notify(this.ctl, CTL_COMMANDS);
  }
  /** A helper died or the run was ended: stop waiting. */
  private checkFailed(): void {
    if (this.failed.length) throw this.failed[0];
    if (Atomics.load(this.ctl, CTL_QUIT) !== 0) throw new Error('the parallel search ended unexpectedly');
  }
  /** Waits for barrier generation `gen`: spins briefly (the others are usually close), then yields to the event loop between short sleeps. */
  private async awaitBarrier(gen: number): Promise<void> {
    const t0 = performance.now();
    while (Atomics.load(this.ctl, CTL_RELEASED) < gen) {
      this.checkFailed();
      if (performance.now() - t0 < SPIN_MS) continue;
      const w = waitAsync(this.ctl, CTL_RELEASED, gen - 1, 20);
      if (!w.async) continue;
      // A pending waitAsync does not keep Node's event loop alive; this timer does. Without it, a run
      // whose helper had died could find its loop empty and exit, silently, with status 0.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([w.value, new Promise((r) => { timer = setTimeout(r, 20); })]);
      clearTimeout(timer);
    }
  }

  /** Gives the workers the bucket tables, holding these fingerprints (the states found so far). */
  seed(fingerprints: Int32Array, count: number): void {
    const tables = seedTables(fingerprints, count, this.buckets);
    this.command({ type: 'seed', tables });
    this.mine.seed(tables);
  }

  /**
   * Runs a level on every worker; returns every worker's result (worker order). `beforeOwnShare` runs
   * once the helpers have started; `between` runs between 50 ms slices of this thread's share, after
   * which the event loop runs (Ctrl-C) before more chunks are taken.
   */
  async level(m: LevelMessage, beforeOwnShare: () => void, between: () => void): Promise<LevelResult[]> {
    Atomics.store(this.ctl, CTL_NEXT, 0); Atomics.store(this.ctl, CTL_BUCKET, 0);
    this.command(m);
    beforeOwnShare();
    this.mine.startLevel(m);
    while (!this.mine.expandChunks(performance.now() + 50)) {
      between();
      await new Promise((r) => setImmediate(r));
      this.checkFailed();
    }
    const fin = this.mine.finishLevel();
    let r = fin.next();
    for (; !r.done; r = fin.next()) await this.awaitBarrier(r.value);
    const from = this.fromPeer(0);
    return [r.value, ...this.helpers.map((_, h) => {
      const got = receiveMessageOnPort(from[h + 1]!);
      if (got === undefined) throw new Error(`worker ${h + 1} sent no result`);
      return got.message as LevelResult;
    })];
  }

  /** Ends the helpers (idempotent). */
  async close(): Promise<void> {
    Atomics.store(this.ctl, CTL_QUIT, 1);
    Atomics.notify(this.ctl, CTL_COMMANDS);
    await Promise.all(this.helpers.map((w) => w.terminate()));
    for (const ch of [...this.commands, ...this.pairs.flat()]) ch?.port1.close();
  }
}
