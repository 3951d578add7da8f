// What one worker of the parallel search shares with the others (see level-protocol.ts): the buffers
// they replaced (outboxes, marks, bucket tables), announced by message and taken after a barrier; the
// barrier itself, in shared memory; and the level's result, sent to worker 0.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CTL_ARRIVED, CTL_QUIT, CTL_RELEASED, MARKS, OUTBOX, type LevelResult, type NewBuffer, type WorkerLinks } from './level-protocol.js';

export interface Peers {
  /** Every worker's outbox, as last announced (boxes[self] is this one's). */
  readonly boxes: Int32Array[];
  /** Every worker's claim marks, as last announced. */
  readonly marksOf: Int32Array[];
  /** Every bucket's fingerprint table (kept current: see NewBuffer). */
  readonly tables: Int32Array[];
  /** A message already posted to `from` (the poster moved a shared word after posting it). */
  take<T>(from: MessagePort): T;
  /** Tells every other worker that this one replaced a buffer they read (a bucket's table, OUTBOX or MARKS). */
  announce(bucket: number, buffer: SharedArrayBuffer): void;
  /** Takes the buffers the others replaced (called after a barrier, so every announcement made before it is counted). */
  takeNewBuffers(): void;
  /** Waits for every worker to arrive (yielding the generation to wait for); the last to arrive runs `last` before releasing the others. */
  barrier(last?: () => void): Generator<number, void, void>;
  /** Sends this worker's result of the level to worker 0 (the main thread), which reads it after the level's last barrier. */
  report(res: LevelResult): void;
}

export function peersOf(links: WorkerLinks): Peers {
  const { ctl, counts, workers, self, toPeer, fromPeer } = links;
  const boxes: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  const marksOf: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  const tables: Int32Array[] = [];
  /** NewBuffer messages read from each worker. */
  const read = new Int32Array(workers);
  let barriers = 0;

  function take<T>(from: MessagePort): T {
    for (;;) {
      const got = receiveMessageOnPort(from);
      if (got !== undefined) return got.message as T;
      if (Atomics.load(ctl, CTL_QUIT) !== 0) throw new Error('the run ended while a worker waited for a message');
    }
  }
  function announce(bucket: number, buffer: SharedArrayBuffer): void {
    for (let v = 0; v < workers; v++) {
      if (v === self) continue;
      toPeer[v]!.postMessage({ bucket, buffer } satisfies NewBuffer);
      Atomics.add(counts, self * workers + v, 1);
    }
  }
  function takeNewBuffers(): void {
    for (let u = 0; u < workers; u++) {
      for (const posted = Atomics.load(counts, u * workers + self); read[u]! < posted; read[u]!++) {
        const nb = take<NewBuffer>(fromPeer[u]!);
        if (nb.bucket === OUTBOX) boxes[u] = new Int32Array(nb.buffer);
        else if (nb.bucket === MARKS) marksOf[u] = new Int32Array(nb.buffer);
        else tables[nb.bucket] = new Int32Array(nb.buffer);
      }
    }
  }
  function* barrier(last?: () => void): Generator<number, void, void> {
    const gen = ++barriers;
    if (Atomics.add(ctl, CTL_ARRIVED, 1) === gen * workers - 1) {
      last?.();
      Atomics.store(ctl, CTL_RELEASED, gen); Atomics.notify(ctl, CTL_RELEASED);
      return;
    }
    while (Atomics.load(ctl, CTL_RELEASED) < gen) yield gen;
  }
  function report(res: LevelResult): void {
    if (self !== 0) toPeer[0]!.postMessage(res, [res.fires.buffer as ArrayBuffer]);
  }
  return { boxes, marksOf, tables, take, announce, takeNewBuffers, barrier, report };
}
