// Every construct of the model API in one small model: workers take jobs from
// a bounded queue. Each line is type-checked (examples/tsconfig.json) and the
// model runs: `mc run examples/tour.ts`, `mc mutate examples/tour.ts`,
// `mc check examples/tour.ts`.
import { defineModel, goldenFile, boolParam, enumParam, intParam, bool, enumOf, int, list, mapOf, modelValues, optional, record, setOf } from 'mc-checker';

export default defineModel({
  name: 'tour',
  description: 'workers take jobs from a bounded queue',
  // Parameters become flags: --pool 3, --jobs 4, --policy allowed, --handoff (true) or --handoff false.
  params: {
    pool: intParam({ min: 1, max: 4, default: 2, help: 'workers taking jobs' }),
    jobs: intParam({ min: 1, max: 6, default: 3, help: 'jobs the client submits' }),
    cap: intParam({ min: 1, max: 4, default: (p) => Number(p.jobs) - 1 || 1, help: 'queue slots (default: jobs - 1)' }),
    handoff: boolParam({ default: true, help: 'a busy worker may hand its job to an idle one' }),
    policy: enumParam(['terminal', 'allowed', 'error'], { default: 'terminal', help: 'deadlock policy' }),
  },
  // Domains: bool, int(min, max), enumOf, modelValues, record, tuple, optional, oneOf, array, mapOf, setOf, list (docs/writing-models.md: Values).
  state: (p) => {
    const W = modelValues('w', p.pool); // the workers w1, w2, ...: traces print their names
    return {
      submitted: int(0, p.jobs),
      queue: list(p.cap, int(1, p.jobs)), // job ids, oldest first
      worker: mapOf(W, record({ pc: enumOf(['idle', 'busy']), job: optional(int(1, p.jobs)) })), // job: null when idle
      busy: setOf(W), // redundant with worker[w].pc, so an invariant can cross-check it
      served: int(0, p.jobs),
      closed: bool(),
    };
  },
  init: (p) => [{
    submitted: 0, queue: [], served: 0, closed: false, busy: [],
    worker: Array.from({ length: p.pool }, () => ({ pc: 'idle' as const, job: null })), // a map given in key order
  }],
  actions: (p, { action }) => {
    const W = modelValues('w', p.pool);
    const pairs = W.values.flatMap((from) => W.values.filter((to) => to !== from).map((to) => ({ from, to })));
    return [
      // No `over`: one instance. The guard reads s (read-only); the effect writes n.
      action({
        name: 'Submit', actor: 'client',
        guard: (s) => s.submitted < p.jobs && s.queue.length < p.cap,
        effect: (s, n) => { n.submitted = s.submitted + 1; n.queue.push(s.submitted + 1); },
      }),
      // `over` a domain: one instance per worker, Take(w1), Take(w2); `when` tests a field (a map entry) as data.
      action({
        name: 'Take', actor: (w) => w, over: W,
        when: (w) => ({ [`worker[${w}].pc`]: 'idle' }),
        guard: (s) => s.queue.length > 0,
        effect: (_s, n, w) => {
          const r = n.worker.get(w);
          r.job = n.queue.shift(); r.pc = 'busy'; n.busy.add(w);
        },
      }),
      // `in`: the choice depends on the state, TLA+'s \E w \in busy: only the busy workers' instances are enabled.
      action({
        name: 'Finish', actor: (w) => w, over: W, in: (s) => s.busy,
        // The mutant 'forget-busy' leaves the worker in the busy set; 'finish-drops-queued' also drops a queued job.
        effect: (s, n, w) => {
          n.worker.set(w, { pc: 'idle', job: null }); n.served = s.served + 1; // a record stored whole
          if (p.mutant !== 'forget-busy') n.busy.delete(w);
          if (p.mutant === 'finish-drops-queued' && s.queue.length > 0) n.queue.shift();
        },
      }),
      // `over` objects: the argument is typed { from: 'w1' | ...; to: ... }. Returning false means no successor.
      action({
        name: 'Handoff', actor: ({ from }) => from, over: pairs,
        // The mutant 'handoff-to-busy' hands a job to a worker that has one (which is then lost).
        guard: (s, { from, to }) => p.handoff && s.worker.get(from).pc === 'busy' && (p.mutant === 'handoff-to-busy' || s.worker.get(to).pc === 'idle'),
        effect: (s, n, { from, to }) => {
          if (s.served === p.jobs - 1) return false; // the last job is finished where it is
          n.worker.set(to, { pc: 'busy', job: s.worker.get(from).job }); n.busy.add(to);
          n.worker.set(from, { pc: 'idle', job: null }); n.busy.delete(from);
        },
      }),
      // `over` tuples: the argument is readonly ['close', true] | readonly ['reopen', false].
      action({
        name: 'Door', actor: 'client', over: [['close', true], ['reopen', false]],
        guard: (s, [, closed]) => s.closed !== closed && s.submitted === p.jobs,
        effect: (_s, n, [, closed]) => { n.closed = closed; },
      }),
    ];
  },
  invariants: (p, { invariant, implies }) => [
    invariant('BusySet', 'busy holds exactly the busy workers', (s) =>
      s.worker.size === p.pool && s.worker.entries().every(([w, r]) => s.busy.has(w) === (r.pc === 'busy'))),
    // An implication: reports say whether its antecedent was ever true.
    implies('AllServedWhenClosed', 'closed with an empty queue and idle workers means every job was served',
      (s) => s.closed && s.queue.length === 0 && s.busy.size === 0, (s) => s.served === p.jobs),
  ],
  // Step properties: predicates of a step s → n (n read-only too) and the action taking it, checked on every step.
  steps: (_p, { step }) => [
    step('QueueLeavesByTake', 'a job leaves the queue only when a worker takes it', (s, n, a) => n.queue.length >= s.queue.length || a.base === 'Take'),
  ],
  // Reachability goals: `mc check` requires each to be reached in some CI configuration.
  sometimes: (p, { sometimes }) => [sometimes('QueueFull', 'the queue fills up', (s) => s.queue.length === p.cap)],
  // Liveness, each form, under weak (WF) and strong (SF) fairness of an action, of actions together, or of an actor.
  liveness: (p, { eventually, leadsTo, alwaysEventually, eventuallyAlways, WF, SF }) => {
    // Handoffs can pass a job back and forth forever, each time disabling its Finish: only strong
    // fairness of Finish (enabled infinitely often, so taken) rules that cycle out.
    const fair = [WF({ action: 'Submit' }), WF({ action: 'Take', each: true }), SF({ action: 'Finish', each: true })];
    return [
      eventually('AllServed', 'every job is eventually served', (s) => s.served === p.jobs, { fairness: fair }),
      leadsTo('QueuedIsTaken', 'a queued job is eventually taken', (s) => s.queue.length > 0, (s) => s.queue.length === 0, { fairness: fair }),
      alwaysEventually('IdleOften', 'some worker is idle infinitely often', (s) => s.busy.size < p.pool, { fairness: [WF({ actor: 'w1' }), ...fair] }),
      eventuallyAlways('Quiet', 'from some point on the queue stays empty', (s) => s.queue.length === 0, { fairness: fair }),
    ];
  },
  // Deadlock: 'error' (the default), 'allowed', or terminal states that are expected.
  deadlock: (p, { terminalStates }) =>
    p.policy === 'terminal' ? terminalStates('every job served', (s) => s.served === p.jobs) : p.policy,
  // A TLC-style state constraint: initial states and successors outside it are counted but not explored.
  constraint: (p) => (s) => s.submitted - s.served <= p.cap + p.pool,
  mutants: [
    { id: 'forget-busy', kills: ['BusySet'], why: 'Finish leaves the worker in the busy set' },
    { id: 'handoff-to-busy', kills: ['Deadlock', 'AllServed'], why: 'a job handed to a busy worker is lost', params: { pool: 2 } },
    { id: 'finish-drops-queued', kills: ['QueueLeavesByTake'], why: 'Finish also drops the oldest queued job' },
  ],
  // Configurations `mc check` runs; their golden figures are kept in tour.golden.json.
  ci: [{ name: 'small', params: { pool: 1, jobs: 2 } }, { name: 'default', params: {} }, { name: 'three', params: { pool: 3, jobs: 4 } }],
  goldenFile: goldenFile(import.meta.url, 'tour.golden.json'),
});
