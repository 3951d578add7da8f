// Protocol B3 of protocols.md: the CPU-isolation lease minted from an
// isolation grant. createLease reads the grant under lock A, creates the lease
// under lock B and re-checks the grant under A (the documented non-atomic
// window); revokeGrant revokes under A and then terminates the lease bound to
// the old grant; renew(h) is gated by the handle's generation and reaps an
// expired lease; every termination goes through one chokepoint (under B:
// T0 claim, T1 unregister, T2 stop SQPOLL, T3 nohz rollback, T4 recycle).
// See README.lease.md.
import { goldenFile } from '../../explorer/golden.js';
import { defineModel, intParam, type ActionDef, type Ctx } from '../../explorer/model.js';
import { bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { implies, invariant, leadsTo, sometimes, terminalStates, WF } from '../../invariants/index.js';

const params = {
  creates: intParam({ min: 1, max: 3, default: 2, help: 'createLease calls' }),
  renews: intParam({ min: 0, max: 3, default: 2, help: 'renew(h) calls (each with any handle generation 0..creates)' }),
};
type P = Ctx<typeof params>;

const CAP = 1;
const TERM = ['T0', 'T1', 'T2', 'T3', 'T4'] as const;
const CALLERS = ['CL', 'RG', 'RN'] as const;
type Caller = (typeof CALLERS)[number];
type PcField = 'cl_pc' | 'rg_pc' | 'rn_pc';
const pcOf = (c: Caller): PcField => (c === 'CL' ? 'cl_pc' : c === 'RG' ? 'rg_pc' : 'rn_pc');

/** Largest generation: one bump per Terminate call (bounded by the calls, also when a mutant terminates twice). */
const gmax = (p: P): number => p.creates + 1 + p.renews;

function schema(p: P) {
  const GM = gmax(p);
  return {
    grant_live: bool(), grant_gen: int(0, 1),
    cap_used: int(-GM, CAP + GM),           // wide enough that a double free is a property violation, not a domain error
    lease_st: enumOf(['Free', 'Active', 'Terminating']),
    lease_gen: int(0, GM),
    lease_gg: int(0, 1),                    // lease.grant_gen
    lease_expired: bool(),
    lock_A: enumOf(['free', 'CL']),         // only CL holds A across steps (CL3 → Terminate)
    lock_B: enumOf(['free', 'CL', 'RG', 'RN']),
    cl_pc: enumOf(['Idle', 'CL2', 'CL3', 'CLB', ...TERM]), cl_ok: bool(), cl_gg: int(0, 1), cl_left: int(0, p.creates),
    rg_pc: enumOf(['Idle', 'RG2', 'RGB', ...TERM]), rg_old: int(0, 1),
    rn_pc: enumOf(['Idle', ...TERM]), rn_left: int(0, p.renews),
    // ghosts
    g_terminations: int(0, GM),
    g_unreg: bool(), g_sqpoll_stopped: bool(), g_nohz_rolled: bool(),
    g_order_bad: bool(), g_dead: bool(), g_stale_mutation: bool(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function actions(p: P): ActionDef<V, any, R>[] {
  const m = p.mutant;
  const pc = (s: R, c: Caller): string => s[pcOf(c)];
  const setPc = (n: V, c: Caller, v: string): void => { (n as unknown as Record<PcField, string>)[pcOf(c)] = v; };
  /** Return from Terminate to the caller: release B (and CL's A), caller idle, chokepoint ghosts cleared. */
  const ret = (n: V, c: Caller): void => {
    n.lock_B = 'free';
    if (c === 'CL') n.lock_A = 'free';
    setPc(n, c, 'Idle');
    n.g_unreg = false; n.g_sqpoll_stopped = false; n.g_nohz_rolled = false;
  };
  const hs = Array.from({ length: p.creates + 1 }, (_, h) => h);
  return [
    // ---- CreateLease ----
    { name: 'CL.CL1', actor: 'CL', guard: (s) => s.cl_pc === 'Idle' && s.cl_left > 0 && s.lock_A === 'free',
      effect: (s, n) => { n.cl_ok = s.grant_live; n.cl_gg = s.grant_gen; n.cl_left = s.cl_left - 1; n.cl_pc = 'CL2'; } },
    { name: 'CL.CL2', actor: 'CL', guard: (s) => s.cl_pc === 'CL2' && s.lock_B === 'free',
      effect: (s, n) => {
        n.cl_ok = false;
        if (s.cl_ok && s.lease_st === 'Free' && s.cap_used < CAP) {
          n.cap_used = s.cap_used + 1; n.lease_st = 'Active'; n.lease_gg = s.cl_gg; n.lease_expired = false;
          n.cl_pc = m === 'M-B13' ? 'Idle' : 'CL3'; // M-B13: CL3 deleted
          if (m === 'M-B13') n.cl_gg = 0;
        } else { n.cl_gg = 0; n.cl_pc = 'Idle'; }
      } },
    { name: 'CL.CL3', actor: 'CL', guard: (s) => s.cl_pc === 'CL3' && s.lock_A === 'free',
      effect: (s, n) => {
        if (!s.grant_live || s.grant_gen !== s.cl_gg) { n.lock_A = 'CL'; n.cl_pc = 'CLB'; } else n.cl_pc = 'Idle';
        n.cl_gg = 0;
      } },
    { name: 'CL.AcquireB', actor: 'CL', guard: (s) => s.cl_pc === 'CLB' && s.lock_B === 'free',
      effect: (_s, n) => { n.lock_B = 'CL'; n.cl_pc = 'T0'; } },
    // ---- RevokeGrant ----
    { name: 'RG.RG1', actor: 'RG', guard: (s) => s.rg_pc === 'Idle' && s.grant_live && s.lock_A === 'free',
      effect: (s, n) => { n.grant_live = false; n.rg_old = s.grant_gen; n.grant_gen = s.grant_gen + 1; n.rg_pc = 'RG2'; } },
    { name: 'RG.RG2', actor: 'RG', guard: (s) => s.rg_pc === 'RG2',
      effect: (s, n) => { n.rg_pc = s.lease_st === 'Active' && s.lease_gg === s.rg_old ? 'RGB' : 'Idle'; } },
    { name: 'RG.AcquireB', actor: 'RG', guard: (s) => s.rg_pc === 'RGB' && s.lock_B === 'free',
      effect: (_s, n) => { n.lock_B = 'RG'; n.rg_pc = 'T0'; } },
    // ---- Renew(h): one step under B; the deadline branch enters Terminate holding B ----
    { name: 'RN.Renew', actor: 'RN', over: hs, guard: (s) => s.rn_pc === 'Idle' && s.rn_left > 0 && s.lock_B === 'free',
      effect: (s, n, h: number) => {
        n.rn_left = s.rn_left - 1;
        const gate = m === 'M-LEASE-gate' || h === s.lease_gen; // M-LEASE-gate: the handle's generation is not checked
        if (s.lease_st === 'Active' && gate) {
          if (s.lease_expired) {
            if (m === 'M-B14') n.lease_expired = false; // M-B14: the deadline branch extends
            else { n.lock_B = 'RN'; n.rn_pc = 'T0'; }
          } // else extend: the deadline moves, nothing modelled changes
        }
        if (h !== s.lease_gen && (n.rn_pc !== 'Idle' || n.lease_st !== s.lease_st || n.lease_expired !== s.lease_expired || n.cap_used !== s.cap_used)) n.g_stale_mutation = true;
      } },
    // ---- Expire (environment: the lease's deadline passes) ----
    { name: 'ENV.Expire', actor: 'ENV', guard: (s) => s.lease_st === 'Active' && !s.lease_expired,
      effect: (_s, n) => { n.lease_expired = true; n.g_dead = true; } },
    // ---- Terminate: the single chokepoint, one instance per caller, under B ----
    { name: 'Terminate.T0', actor: (c: Caller) => c, over: CALLERS, guard: (s, c: Caller) => pc(s, c) === 'T0',
      effect: (s, n, c: Caller) => {
        if (s.lease_st === 'Active' || m === 'M-B11') { // M-B11: no T0 guard, every terminator proceeds
          if (s.lease_st === 'Active') n.g_terminations = s.g_terminations + 1; // a live lease's termination begins
          n.lease_st = 'Terminating'; n.g_dead = true; setPc(n, c, 'T1');
        } else ret(n, c); // another terminator won
      } },
    { name: 'Terminate.T1', actor: (c: Caller) => c, over: CALLERS, guard: (s, c: Caller) => pc(s, c) === 'T1',
      effect: (_s, n, c: Caller) => { n.g_unreg = true; setPc(n, c, 'T2'); } },
    { name: 'Terminate.T2', actor: (c: Caller) => c, over: CALLERS, guard: (s, c: Caller) => pc(s, c) === 'T2',
      effect: (_s, n, c: Caller) => { n.g_sqpoll_stopped = true; setPc(n, c, m === 'M-B12' ? 'T4' : 'T3'); } }, // M-B12: T4 before T3
    { name: 'Terminate.T3', actor: (c: Caller) => c, over: CALLERS,
      guard: (s, c: Caller) => pc(s, c) === 'T3' && (m !== 'M-LEASE-selflock' || s.lock_B === 'free'), // M-LEASE-selflock: the rollback takes sched_lock (= B) again
      effect: (_s, n, c: Caller) => { n.g_nohz_rolled = true; if (m === 'M-B12') ret(n, c); else setPc(n, c, 'T4'); } },
    { name: 'Terminate.T4', actor: (c: Caller) => c, over: CALLERS, guard: (s, c: Caller) => pc(s, c) === 'T4',
      effect: (s, n, c: Caller) => {
        if (!(s.g_unreg && s.g_sqpoll_stopped && s.g_nohz_rolled)) n.g_order_bad = true;
        n.lease_gen = s.lease_gen + 1; n.cap_used = s.cap_used - 1;
        n.lease_st = 'Free'; n.lease_expired = false; n.lease_gg = 0; n.g_dead = false;
        if (m === 'M-B12') setPc(n, c, 'T3'); else ret(n, c);
      } },
  ];
}

export default defineModel<typeof params, S>({
  name: 'lease',
  description: 'CPU-isolation lease/grant teardown: createLease/revokeGrant under two locks with the re-check window, generation-gated renew with the deadline branch, one termination chokepoint (protocols.md B3)',
  params,
  state: schema,
  init: (p) => [{
    grant_live: true, grant_gen: 0, cap_used: 0, lease_st: 'Free', lease_gen: 0, lease_gg: 0, lease_expired: false,
    lock_A: 'free', lock_B: 'free',
    cl_pc: 'Idle', cl_ok: false, cl_gg: 0, cl_left: p.creates, rg_pc: 'Idle', rg_old: 0, rn_pc: 'Idle', rn_left: p.renews,
    g_terminations: 0, g_unreg: false, g_sqpoll_stopped: false, g_nohz_rolled: false, g_order_bad: false, g_dead: false, g_stale_mutation: false,
  }],
  actions,
  invariants: () => [
    invariant<R>('GenerationOncePerTermination', 'B3: lease.gen = g_terminations − [lease.st=Terminating], g_terminations counting the terminations begun (T0 claiming a live lease): each termination bumps the generation exactly once, at its T4',
      (s) => s.lease_gen + (s.lease_st === 'Terminating' ? 1 : 0) === s.g_terminations),
    invariant<R>('NoCapacityDoubleFree', 'B3: cap_used = [lease.st ∈ {Active, Terminating}] (never undercounts a live lease, never negative)',
      (s) => s.cap_used === (s.lease_st === 'Free' ? 0 : 1)),
    invariant<R>('ChokepointOrder', 'B3: every T4 ran after unregister (T1), SQPOLL stop (T2) and nohz rollback (T3) of its termination (¬g_order_bad)', (s) => !s.g_order_bad),
    implies<R>('NoLiveLeaseThroughRevokedGrant', 'B3: lease.st=Active ∧ (¬grant.live ∨ grant.gen≠lease.grant_gen) ⇒ lease.recheck (CL3 still to run: CL.pc ∈ {CL3, CLB, T0}) ∨ RG2 in progress (RG.pc ∈ {RG2, RGB, T0})',
      (s) => s.lease_st === 'Active' && (!s.grant_live || s.grant_gen !== s.lease_gg),
      (s) => s.cl_pc === 'CL3' || s.cl_pc === 'CLB' || s.cl_pc === 'T0' || s.rg_pc === 'RG2' || s.rg_pc === 'RGB' || s.rg_pc === 'T0'),
    implies<R>('NoResurrection', 'B3: once the current generation is dead (expired, or T0 claimed it), the lease is never live again: g_dead ⇒ (lease.st≠Active ∨ lease.expired)',
      (s) => s.g_dead, (s) => s.lease_st !== 'Active' || s.lease_expired),
    invariant<R>('StaleHandleGate', 'B3: Renew(h) with h≠lease.gen changes nothing (¬g_stale_mutation)', (s) => !s.g_stale_mutation),
  ],
  sometimes: () => [
    sometimes<R>('RecheckTerminates', 'CL3 found the grant revoked after creating the lease and enters Terminate', (s) => s.cl_pc === 'CLB'),
    sometimes<R>('RevokeTerminates', 'RevokeGrant terminates the lease bound to the old grant', (s) => s.rg_pc === 'T1'),
    sometimes<R>('DeadlineTerminates', 'Renew reaps an expired lease', (s) => s.rn_pc === 'T1'),
    sometimes<R>('TerminatorLoses', 'two terminators raced: one waits for B while the lease is already being torn down', (s) => s.lease_st === 'Terminating' && (s.rg_pc === 'RGB' || s.cl_pc === 'CLB')),
    sometimes<R>('SecondLease', 'a second lease is live after the first was recycled', (s) => s.lease_st === 'Active' && s.lease_gen >= 1),
  ],
  liveness: () => [
    leadsTo<R>('NoStrandedGeneration', 'B3: □(lease.st=Terminating ⇒ ◇ lease.st=Free)', (s) => s.lease_st === 'Terminating', (s) => s.lease_st === 'Free',
      { fairness: TERM.map((t) => WF({ action: `Terminate.${t}` })) }),
  ],
  stuttering: 'anywhere',
  deadlock: () => terminalStates<R>('every caller idle with its calls used up and both locks free', (s) => s.cl_pc === 'Idle' && s.rg_pc === 'Idle' && s.rn_pc === 'Idle' && s.lock_A === 'free' && s.lock_B === 'free'),
  mutants: [
    { id: 'M-B11', kills: ['GenerationOncePerTermination', 'NoCapacityDoubleFree'],
      why: 'T0 guard dropped: RevokeGrant (RG2) and the Renew deadline branch both terminate the same lease; the second bumps the generation and frees the capacity again' },
    { id: 'M-B12', kills: ['ChokepointOrder'],
      why: 'T4 moved before T3: the slot is recycled (generation bumped, capacity freed) before the nohz rollback' },
    { id: 'M-B13', kills: ['NoLiveLeaseThroughRevokedGrant'],
      why: 'CL3 deleted: a lease created from a grant read before RevokeGrant stays Active through the revoked grant once RG2 has looked and found nothing' },
    { id: 'M-B14', kills: ['NoResurrection'],
      why: 'the Renew deadline branch extends an expired lease instead of terminating it' },
    { id: 'M-LEASE-gate', kills: ['StaleHandleGate'],
      why: '[ours] Renew ignores the handle\'s generation: a stale handle reaps (terminates) the current, expired lease' },
    { id: 'M-LEASE-selflock', kills: ['NoStrandedGeneration', 'Deadlock'],
      why: '[ours] T3 calls the locking nohz rollback (B1 C.Revoke, R1 acquires sched_lock = B) while the terminator already holds B: the termination never reaches T4, and once every caller is idle or blocked the system is stuck (Deadlock)' },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.lease.json'),
  ci: [
    { name: 'default', params: {} },
    { name: 'creates3', params: { creates: 3, renews: 3 } },
  ],
});
