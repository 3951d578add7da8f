// Protocol E1 of protocols.md: per-partition MPU region reprogramming on a
// context switch (gale's mpu_switch.rs / partition_switch.rs). Dissolved
// components share one address space and the MPU is the only isolation root:
// at every window boundary the privileged switcher SW saves the outgoing
// context, disables the MPU, writes every hardware region slot from the
// incoming partition's table (unused slots written disabled), re-enables it,
// issues the barrier, sets `swapped` and resumes the next partition. The
// partition that runs then has its memory accesses checked against the live
// region map. MPU register writes are posted (they take effect in order, some
// time after SW issues them, through the actor MPU); the barrier waits until
// every posted write has taken effect. See README.md beside this file.
import { defineModel, intParam, type ActionDef, type Ctx, type Invariant, type Goal, type LivenessProperty } from '../../explorer/model.js';
import { array, bool, enumOf, int, list, record, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { alwaysEventually, implies, invariant, leadsTo, sometimes, WF } from '../../invariants/index.js';

const params = {
  partitions: intParam({ min: 2, max: 4, default: 2, help: 'partitions P0..P(n-1), run round-robin one window each; partition p owns memory cell m_p' }),
  slots: intParam({ min: 1, max: 4, default: 2, help: 'region slots R of each partition table (partition p uses slot p mod R for its cell)' }),
  hwSlots: intParam({ min: 1, max: 5, default: (p) => p.slots as number, help: 'hardware region slots R_hw (MPU_TYPE.DREGION); must be >= --slots (default: same as --slots)' }),
};
type P = Ctx<typeof params>;

const PHASES = ['Running', 'SaveCtx', 'ProgramRegions', 'Resume'] as const;
const RW = ['Read', 'Write'] as const;
type Rw = (typeof RW)[number];

export const MUTANT_IDS = {
  skipDisabled: 'M-E1-skip-disabled',
  enableFirst: 'M-E1-enable-first',
  keepSwapped: 'M-E1-keep-swapped',
  dregion: 'M-E1-dregion',
  noBarrier: 'M-E1-no-barrier',
  badTable: 'M-E1-bad-table',
  tickRestarts: 'M-E1-tick-restarts',
  noMark: 'M-E1-no-mark',
} as const;

interface Cfg {
  /** Partitions, table slots, hardware slots. */
  readonly N: number; readonly R: number; readonly H: number;
  /** Slots the switch program writes (H; R under the DREGION mutant). */
  readonly W: number;
  /** Length of the write sequence: CTRL:=0, W slot writes, CTRL:=ENABLE; prog_pc = L once all are issued. */
  readonly L: number;
  readonly m: string | null;
}
const cfgOf = (p: P): Cfg => {
  const W = p.mutant === MUTANT_IDS.dregion ? p.slots : p.hwSlots;
  return { N: p.partitions, R: p.slots, H: p.hwSlots, W, L: W + 2, m: p.mutant };
};

const region = () => record({ en: bool(), base: int(0, 3), wr: bool() });

function schema(p: P) {
  const { N, R, H, L } = cfgOf(p);
  return {
    // ---- the partition tables (static, in memory SW reads) ----
    table: array(N, array(R, region())),
    // ---- the MPU as accesses see it (the effective state) ----
    mpu_en: bool(),
    mpu: array(H, region()),
    // ---- posted MPU register writes not yet in effect, oldest first: op = target*L + position ----
    wbuf: list(L, int(0, N * L - 1)),
    // ---- SW: the switch state machine ----
    cur: int(0, N - 1),
    phase: enumOf(PHASES),
    swapped: bool(),
    prog_pc: int(0, L),
    barrier_done: bool(),
    // ---- ghosts (never read by a guard) ----
    /** Position in the write sequence of the last write that took effect, plus one (0: none since boot). */
    g_applied: int(0, L),
    /** The partition whose window the current switch ends (the frame's previous window). */
    g_from: int(0, N - 1),
    g_violation: bool(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;
interface Region { en: boolean; base: number; wr: boolean }
const DISABLED: Region = { en: false, base: 0, wr: false };

/** The static partition table: partition p maps its own cell m_p, read-write, in slot p mod R; every other slot is disabled. */
function tableOf(p: P): Region[][] {
  const { N, R, m } = cfgOf(p);
  return Array.from({ length: N }, (_, q) => Array.from({ length: R }, (_, r) => {
    if (r === q % R) return { en: true, base: q, wr: true };
    if (m === MUTANT_IDS.badTable && q === 1 && r === 0) return { en: true, base: 0, wr: true }; // mutant: P1's table also grants P0's cell
    return { ...DISABLED };
  }));
}

/** Every value a hardware slot may hold at reset (ARMv7-M/v8-M region registers reset UNKNOWN): disabled, or any cell with either permission. */
function resetRegions(N: number): Region[] {
  const out: Region[] = [{ ...DISABLED }];
  for (let c = 0; c < N; c++) for (const wr of [false, true]) out.push({ en: true, base: c, wr });
  return out;
}

function init(p: P) {
  const { N, H } = cfgOf(p);
  const table = tableOf(p);
  const choices = resetRegions(N);
  // Every combination of reset slot contents and MPU enable: the boot switch into P0 must establish isolation from any of them.
  let maps: Region[][] = [[]];
  for (let r = 0; r < H; r++) maps = maps.flatMap((mp) => choices.map((c) => [...mp, c]));
  const out = [];
  for (const mpu of maps) for (const mpu_en of [false, true]) {
    out.push({
      table, mpu_en, mpu, wbuf: [] as number[],
      // The boot switch: the frame's last window (P(n-1)) ends and P0 is next.
      cur: N - 1, phase: 'SaveCtx' as const, swapped: false, prog_pc: 0, barrier_done: false,
      g_applied: 0, g_from: N - 1, g_violation: false,
    });
  }
  return out;
}

function actions(p: P): ActionDef<V, any, R>[] {
  const { N, R, H, W, L, m } = cfgOf(p);
  const next = (c: number): number => (c + 1) % N;
  /** What the program writes into hardware slot r for partition q: its table entry, or disabled beyond the table. */
  const entry = (s: R, q: number, r: number): Region => {
    if (r >= R) return DISABLED;
    const e = s.table.at(q).at(r);
    return e.en ? { en: true, base: e.base, wr: e.wr } : DISABLED;
  };
  /** The write at sequence position i: 'off' (CTRL:=0), 'on' (CTRL:=ENABLE) or a slot number. */
  const opAt = (i: number): 'off' | 'on' | number => {
    if (m === MUTANT_IDS.enableFirst) return i === 0 ? 'off' : i === 1 ? 'on' : i - 2; // mutant: CTRL:=ENABLE before the region writes
    return i === 0 ? 'off' : i === W + 1 ? 'on' : i - 1;
  };
  const cells = Array.from({ length: N }, (_, c) => c);
  const accessArgs: [number, number, Rw][] = [];
  for (let q = 0; q < N; q++) for (const c of cells) for (const rw of RW) accessArgs.push([q, c, rw]);

  return [
    {
      name: 'TMR.Boundary', actor: 'TMR',
      // The window boundary preempts whatever partition runs (it cannot be masked).
      guard: (s) => s.phase === 'Running' || m === MUTANT_IDS.tickRestarts, // mutant: a tick during the switch restarts it
      effect: (s, n) => {
        n.phase = 'SaveCtx';
        if (m !== MUTANT_IDS.keepSwapped) n.swapped = false; // mutant: swapped is not cleared on entry to SaveCtx
        n.g_from = s.cur;
      },
    },
    {
      name: 'SW.Save', actor: 'SW',
      guard: (s) => s.phase === 'SaveCtx',
      effect: (_s, n) => { n.phase = 'ProgramRegions'; n.prog_pc = 0; },
    },
    {
      name: 'SW.Write', actor: 'SW',
      // One MPU register store, posted to the write buffer (a full buffer stalls the store).
      guard: (s) => s.phase === 'ProgramRegions' && s.prog_pc <= L - 1 && s.wbuf.length < L,
      effect: (s, n) => {
        const i = s.prog_pc, op = opAt(i), q = next(s.cur);
        n.prog_pc = i + 1;
        if (i === 0) n.barrier_done = false;
        if (m === MUTANT_IDS.skipDisabled && typeof op === 'number' && !entry(s, q, op).en) return; // mutant: unused slots are not written
        n.wbuf.push(q * L + i);
      },
    },
    {
      name: 'MPU.Commit', actor: 'MPU',
      // The oldest posted write takes effect.
      guard: (s) => s.wbuf.length > 0,
      effect: (s, n) => {
        const x = n.wbuf.shift(), q = Math.floor(x / L), i = x % L, op = opAt(i);
        if (op === 'off') n.mpu_en = false;
        else if (op === 'on') n.mpu_en = true;
        else { const e = entry(s, q, op), d = n.mpu.at(op); d.en = e.en; d.base = e.base; d.wr = e.wr; }
        n.g_applied = i + 1;
      },
    },
    {
      name: 'SW.Barrier', actor: 'SW',
      // DSB; ISB: completes once every posted MPU write has taken effect.
      guard: (s) => s.phase === 'ProgramRegions' && s.prog_pc === L && !s.barrier_done && (s.wbuf.length === 0 || m === MUTANT_IDS.noBarrier), // mutant: no barrier, nothing waits for the writes
      effect: (_s, n) => { n.barrier_done = true; },
    },
    {
      name: 'SW.MarkSwapped', actor: 'SW',
      guard: (s) => s.phase === 'ProgramRegions' && s.prog_pc === L && s.barrier_done,
      effect: (_s, n) => { if (m !== MUTANT_IDS.noMark) n.swapped = true; n.phase = 'Resume'; }, // mutant: swapped is never set
    },
    {
      name: 'SW.Resume', actor: 'SW',
      guard: (s) => s.phase === 'Resume' && s.swapped,
      effect: (s, n) => { n.cur = next(s.cur); n.phase = 'Running'; },
    },
    {
      name: 'P.Access', actor: ([q]: [number, number, Rw]) => `P${q}`, over: accessArgs,
      // The running partition reads or writes cell m_c; the MPU checks the access against the live map.
      guard: (s, [q]: [number, number, Rw]) => s.phase === 'Running' && s.cur === q,
      effect: (s, n, [q, c, rw]: [number, number, Rw]) => {
        let allowed = !s.mpu_en;
        for (let r = 0; r < H && !allowed; r++) {
          const e = s.mpu.at(r);
          if (e.en && e.base === c && (rw === 'Read' || e.wr)) allowed = true;
        }
        if (allowed && c !== q) n.g_violation = true;
      },
    },
  ];
}

function invariants(p: P): Invariant<R>[] {
  const { N, R, H, L } = cfgOf(p);
  const sameAsTable = (s: R): boolean => {
    for (let r = 0; r < H; r++) {
      const h = s.mpu.at(r);
      if (r < R) {
        const t = s.table.at(s.cur).at(r);
        if (h.en !== t.en || (t.en && (h.base !== t.base || h.wr !== t.wr))) return false;
      } else if (h.en) return false;
      if (!h.en && (h.base !== 0 || h.wr)) return false; // disabled slots are written as the canonical disabled entry
    }
    return true;
  };
  return [
    invariant('NoCrossPartitionAccess', 'the kill criterion: no partition ever reads or writes another partition\'s cell (¬g_violation)', (s) => !s.g_violation),
    implies('MapMatchesTable', 'phase=Running ⇒ mpu_en ∧ every hardware slot equals table[cur] (slots beyond the table, and unused ones, disabled)',
      (s) => s.phase === 'Running', (s) => s.mpu_en && sameAsTable(s)),
    implies('SwapBeforeResume(a)', 'phase=Resume ⇒ swapped', (s) => s.phase === 'Resume', (s) => s.swapped),
    implies('SwapBeforeResume(b)', 'phase∈{SaveCtx,ProgramRegions} ⇒ ¬swapped', (s) => s.phase === 'SaveCtx' || s.phase === 'ProgramRegions', (s) => !s.swapped),
    implies('NoMixedMap', 'mpu_en ⇒ the write sequence is not half applied (g_applied ∈ {0, R_hw+2}): regions change only while the MPU is disabled',
      (s) => s.mpu_en, (s) => s.g_applied === 0 || s.g_applied === L),
    invariant('TableValid', 'every enabled entry of table[p] covers only cells owned by p', (s) => {
      for (let q = 0; q < N; q++) for (let r = 0; r < R; r++) { const e = s.table.at(q).at(r); if (e.en && e.base !== q) return false; }
      return true;
    }),
  ];
}

function goals(p: P): Goal<R>[] {
  const { N, L } = cfgOf(p);
  return [
    ...Array.from({ length: N }, (_, q) => sometimes<R>(`Runs(P${q})`, `P${q} runs its window`, (s) => s.phase === 'Running' && s.cur === q)),
    sometimes('BarrierWaits', 'every write is issued and some are still posted: the barrier has something to wait for', (s) => s.phase === 'ProgramRegions' && s.prog_pc === L && s.wbuf.length > 0),
    sometimes('WriteBufferFull', 'the whole write sequence is posted and none has taken effect yet', (s) => s.wbuf.length === L),
  ];
}

function liveness(p: P): LivenessProperty<R>[] {
  const { N } = cfgOf(p);
  return [
    leadsTo('FrameFollowed', 'every window boundary eventually reaches Running with the next partition of the frame (under WF(SW), WF(MPU))',
      (s) => s.phase !== 'Running', (s) => s.phase === 'Running' && s.cur === (s.g_from + 1) % N,
      { fairness: [WF({ actor: 'SW' }), WF({ actor: 'MPU' })] }),
    // No window is skipped or starved: with the window timer ticking (WF(TMR)), every partition runs again and again.
    ...Array.from({ length: N }, (_, q) => alwaysEventually<R>(`WindowRecurs(P${q})`, `P${q} runs its window infinitely often (under WF(TMR), WF(SW), WF(MPU))`,
      (s) => s.phase === 'Running' && s.cur === q, { fairness: [WF({ actor: 'TMR' }), WF({ actor: 'SW' }), WF({ actor: 'MPU' })] })),
  ];
}

export default defineModel<typeof params, S>({
  name: 'mpu',
  description: 'per-partition MPU region reprogramming on context switch: disable, write every slot, enable, barrier, swapped flag (protocols.md E1)',
  params,
  validate: (p) => (p.hwSlots < p.slots ? `--hw-slots (${p.hwSlots}) must be at least --slots (${p.slots})` : p.partitions > 4 ? 'at most 4 partitions' : undefined),
  state: schema,
  init,
  actions,
  invariants,
  sometimes: goals,
  liveness,
  // The switch never stops: every state has an enabled action (any stuck state is a deadlock).
  deadlock: () => 'error',
  stuttering: 'anywhere',
  mutants: [
    { id: MUTANT_IDS.skipDisabled, kills: ['NoCrossPartitionAccess'], params: { partitions: 2, slots: 2, hwSlots: 2 },
      why: 'SW.Write skips the table\'s unused (disabled) slots, so deny-by-default is gone: after P0→P1, slot0→m0 survives and P1 reads P0\'s cell' },
    { id: MUTANT_IDS.enableFirst, kills: ['NoMixedMap'], params: {},
      why: 'CTRL:=ENABLE is written right after CTRL:=0, before the region writes: regions are rewritten while the MPU is enabled' },
    { id: MUTANT_IDS.keepSwapped, kills: ['SwapBeforeResume(b)'], params: {},
      why: 'TMR.Boundary does not clear swapped: the flag from the previous switch is still set in SaveCtx/ProgramRegions, so Resume could not tell a programmed map from a stale one' },
    { id: MUTANT_IDS.noMark, kills: ['SwapBeforeResume(a)', 'Deadlock'], params: {},
      why: 'SW.MarkSwapped enters Resume without setting swapped: the Resume guard holds the switch (fail-closed), so the system hangs (Deadlock, FrameFollowed) instead of resuming on an unchecked map' },
    { id: MUTANT_IDS.dregion, kills: ['NoCrossPartitionAccess', 'MapMatchesTable'], params: { slots: 2, hwSlots: 3 },
      why: 'the hardware has R_hw=R+1 slots but the program writes only R (DREGION mismatch): slot R keeps its reset value, a region over another partition\'s cell, so the map no longer matches the table (MapMatchesTable, first) and P0 reads m1' },
    { id: MUTANT_IDS.noBarrier, kills: ['NoCrossPartitionAccess'], params: {},
      why: 'no DSB/ISB: the switch resumes the next partition while MPU writes are still posted, so its accesses are checked against the previous map' },
    { id: MUTANT_IDS.badTable, kills: ['TableValid'], params: {},
      why: 'P1\'s table also maps P0\'s cell m0 in slot 0 (a region copied into the wrong partition): the table itself breaks ownership, whatever the switch does' },
    { id: MUTANT_IDS.tickRestarts, kills: ['FrameFollowed', 'WindowRecurs(P0)', 'WindowRecurs(P1)', 'WindowRecurs(P2)'], params: {},
      why: 'TMR.Boundary may fire during a switch and restarts it: ticks that keep arriving starve the switch and the next window never starts, nor does any later one (WindowRecurs)' },
  ],
  ci: [
    { name: 'p2-r2', params: { partitions: 2, slots: 2 } },
    { name: 'p2-r2-hw3', params: { partitions: 2, slots: 2, hwSlots: 3 } },
    { name: 'p3-r2', params: { partitions: 3, slots: 2 } },
    { name: 'p3-r3', params: { partitions: 3, slots: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url),
});
