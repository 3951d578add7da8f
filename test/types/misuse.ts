// Mistakes in a model that must be compile errors (each line marked @ts-expect-error fails the
// type check if it compiles). Checked by test/types.test.ts with the package's own declarations.
import { defineModel, boolParam, enumParam, intParam, array, bool, enumOf, int, list, mapOf, modelValues, oneOf, optional, record, setOf, tuple } from 'mc-checker';

export default defineModel({
  name: 'misuse',
  description: 'every line marked @ts-expect-error is a mistake the types catch',
  params: {
    fixed: boolParam({ default: false, help: 'a flag' }),
    slots: intParam({ min: 1, max: 3, default: 2, help: 'slots' }),
    mode: enumParam(['fast', 'slow'], { default: 'fast', help: 'mode' }),
  },
  state: (p) => ({
    lock: bool(),
    count: int(0, 3),
    pc: array(2, enumOf(['idle', 'cs'])),
    cell: record({ owner: int(0, 1), busy: bool() }),
    q: list(p.slots, int(1, 3)),
    set: setOf(3),
  }),
  init: () => [{ lock: false, count: 0, pc: ['idle', 'cs'], cell: { owner: 0, busy: false }, q: [], set: [] }],
  actions: (p, { action }) => [
    // @ts-expect-error writing the input state s
    action({ name: 'WriteS', actor: 'x', effect: (s) => { s.lock = true; } }),
    // @ts-expect-error writing through the input state's array view
    action({ name: 'WriteSArray', actor: 'x', effect: (s) => { s.pc.set(0, 'cs'); } }),
    // @ts-expect-error pushing onto the input state's list
    action({ name: 'WriteSList', actor: 'x', effect: (s) => { s.q.push(1); } }),
    // @ts-expect-error adding to the input state's set
    action({ name: 'WriteSSet', actor: 'x', effect: (s) => { s.set.add(1); } }),
    // @ts-expect-error writing a field the state does not have
    action({ name: 'Typo', actor: 'x', effect: (_s, n) => { n.cuont = 1; } }),
    // @ts-expect-error an enum value outside its enum
    action({ name: 'BadEnum', actor: 'x', effect: (_s, n) => { n.pc.set(0, 'sleeping'); } }),
    // Not mistakes: a record stored whole, from a plain value or from the state.
    action({ name: 'StoreRecord', actor: 'x', effect: (s, n) => { n.cell = { owner: 1, busy: true }; n.cell = s.cell; } }),
    // @ts-expect-error a whole record stored with a field of the wrong type
    action({ name: 'WholeRecord', actor: 'x', effect: (_s, n) => { n.cell = { owner: 1, busy: 'yes' }; } }),
    // @ts-expect-error a whole record stored without one of its fields
    action({ name: 'PartRecord', actor: 'x', effect: (_s, n) => { n.cell = { owner: 1 }; } }),
    // @ts-expect-error replacing an array view (write its elements with set)
    action({ name: 'WholeArray', actor: 'x', effect: (s, n) => { n.pc = s.pc; } }),
    // @ts-expect-error using an over number as a string
    action({ name: 'OverType', actor: 'x', over: [0, 1], effect: (_s, n, i) => { const t: string = i; n.count = t.length; } }),
    // @ts-expect-error an actor function must return a string
    action({ name: 'ActorType', actor: (i) => i, over: [0, 1], effect: () => {} }),
    // @ts-expect-error a boolean parameter used as a number
    action({ name: 'ParamType', actor: 'x', effect: (_s, n) => { n.count = p.fixed; } }),
    // @ts-expect-error an enum parameter compared with a value it cannot take
    action({ name: 'EnumParam', actor: 'x', guard: () => p.mode === 'medium', effect: () => {} }),
  ],
  invariants: (_p, { invariant }) => [
    // @ts-expect-error a property writing the state it checks
    invariant('Writes', 'x', (s) => { s.count = 0; return true; }),
    // @ts-expect-error an int field used as a string
    invariant('Typed', 'x', (s) => s.count.startsWith('1')),
  ],
  steps: (_p, { step }) => [
    // Not a mistake: s, n and the action typed with no annotation.
    step('Typed', 'x', (s, n, a) => n.count >= s.count && n.pc.get(0) !== 'idle' && a.base.length > 0 && a.actor !== ''),
    // @ts-expect-error a step property writing the successor n (read-only to it)
    step('WritesN', 'x', (_s, n) => { n.count = 0; return true; }),
    // @ts-expect-error an enum field compared with a value it cannot take
    step('BadEnumStep', 'x', (s, n) => s.pc.get(0) === 'sleeping' || n.lock),
  ],
});

// TypeScript reports one mistake per argument where the model object itself does not fit, so
// each of these has a model of its own.
export const badInit = defineModel({
  name: 'bad-init', description: 'an enum value outside its enum in an initial state', params: {},
  state: () => ({ count: int(0, 3), pc: array(2, enumOf(['idle', 'cs'])) }),
  // @ts-expect-error 'sleeping' is not a member of the enum
  init: () => [{ count: 0, pc: ['idle', 'sleeping'] }],
  actions: () => [],
});
export const badInitField = defineModel({
  name: 'bad-init-field', description: 'an initial state with a field the schema lacks', params: {},
  state: () => ({ count: int(0, 3) }),
  // @ts-expect-error 'cuont' is not a field
  init: () => [{ count: 0, cuont: 1 }],
  actions: () => [],
});
export const badMutant = defineModel({
  name: 'bad-mutant', description: "a mutant's parameter value of the wrong type",
  params: { slots: intParam({ min: 1, max: 3, default: 2, help: 'slots' }) },
  state: () => ({ count: int(0, 3) }),
  init: () => [{ count: 0 }],
  actions: () => [],
  // @ts-expect-error slots is a number
  mutants: [{ id: 'm', kills: ['Typed'], why: 'x', params: { slots: 'two' } }],
});

// The richer domains: tuples, optionals, unions, sets and lists of compound values, maps.
export const domains = defineModel({
  name: 'domains', description: 'mistakes with compound values', params: {},
  state: () => {
    const RM = modelValues('r', 2);
    const Msg = oneOf(record({ type: enumOf(['Prepared']), rm: RM }), record({ type: enumOf(['Commit', 'Abort']) }));
    return {
      q: list(2, tuple([int(0, 1), enumOf(['d1', 'd2'])])),
      got: optional(tuple([int(0, 1), enumOf(['d1', 'd2'])])),
      msgs: setOf(Msg),
      rmState: mapOf(enumOf(['r1', 'r2']), enumOf(['working', 'prepared'])),
      ctl: mapOf(int(1, 2), record({ busy: bool() })),
    };
  },
  init: () => [{ q: [[0, 'd1']], got: null, msgs: [{ type: 'Commit' }], rmState: { r1: 'working', r2: 'working' }, ctl: [{ busy: false }, { busy: true }] }],
  actions: (_p, { action }) => [
    // Not mistakes: a list element stored whole, a set looked up by value, a map written by key, a choice over a domain in a set.
    action({ name: 'Receive', actor: 'x', effect: (s, n) => { n.got = s.q.get(0); n.q.shift(); n.got = null; } }),
    action({ name: 'Lookup', actor: 'x', guard: (s) => s.msgs.has({ type: 'Prepared', rm: 'r1' }) && s.rmState.get('r2') === 'working', effect: (_s, n) => { n.rmState.set('r1', 'prepared'); n.ctl.get(1).busy = true; } }),
    action({ name: 'Choose', actor: 'x', over: modelValues('r', 2), in: (s) => [...s.rmState.keys()], effect: (_s, n, r) => { n.msgs.add({ type: 'Prepared', rm: r }); } }),
    // @ts-expect-error a tuple with a value outside its enum
    action({ name: 'BadTuple', actor: 'x', effect: (_s, n) => { n.q.push([0, 'd3']); } }),
    // @ts-expect-error a record of a union without the field that its alternative needs
    action({ name: 'BadMessage', actor: 'x', effect: (_s, n) => { n.msgs.add({ type: 'Prepared' }); } }),
    // @ts-expect-error a value read from a list is read-only
    action({ name: 'WriteRead', actor: 'x', effect: (s) => { s.q.get(0)[0] = 1; } }),
    // @ts-expect-error a map key outside its key domain (modelValues('r', n) gives the type `r${number}`: its keys are checked at run time)
    action({ name: 'BadKey', actor: 'x', effect: (_s, n) => { n.rmState.set('r3', 'working'); } }),
    // @ts-expect-error an optional that is not null used as one
    action({ name: 'Optional', actor: 'x', guard: (s) => s.got[0] === 1, effect: () => {} }),
    // @ts-expect-error the argument of an over a domain has the domain's type
    action({ name: 'OverDomain', actor: 'x', over: modelValues('r', 2), effect: (_s, n, r) => { n.rmState.set(r, r); } }),
  ],
});
