// Dining philosophers with ordered forks: each philosopher picks up the
// lower-numbered of its two forks first, which rules out the circular wait.
// The model declares CI configurations (mc check runs them) and keeps their
// golden figures in philosophers.golden.json (mc check --update-golden writes it).
import { defineModel, goldenFile, intParam, array, enumOf, int } from 'mc-checker';

export default defineModel({
  name: 'philosophers',
  description: 'dining philosophers who take the lower-numbered fork first',
  params: { n: intParam({ min: 2, max: 6, default: 3, help: 'philosophers (and forks)' }) },
  state: (p) => ({
    pc: array(p.n, enumOf(['thinking', 'hungry', 'one', 'eating'])),
    fork: array(p.n, int(-1, p.n - 1)), // who holds each fork (-1: on the table)
  }),
  init: (p) => [{ pc: Array.from({ length: p.n }, () => 'thinking' as const), fork: Array.from({ length: p.n }, () => -1) }],
  actions: (p, { action }) => {
    const ids = Array.from({ length: p.n }, (_, i) => i);
    const left = (i: number): number => i, right = (i: number): number => (i + 1) % p.n;
    // The mutant 'left-first' takes the left fork first: all can hold one fork and wait forever.
    const first = (i: number): number => (p.mutant === 'left-first' ? left(i) : Math.min(left(i), right(i)));
    const second = (i: number): number => (first(i) === left(i) ? right(i) : left(i));
    return [
      action({ name: 'Hungry', actor: (i) => `Ph${i}`, over: ids, when: (i) => ({ [`pc[${i}]`]: 'thinking' }),
        effect: (_s, n, i) => { n.pc.set(i, 'hungry'); } }),
      action({ name: 'TakeFirst', actor: (i) => `Ph${i}`, over: ids, when: (i) => ({ [`pc[${i}]`]: 'hungry' }),
        guard: (s, i) => s.fork.get(first(i)) === -1,
        effect: (_s, n, i) => { n.fork.set(first(i), i); n.pc.set(i, 'one'); } }),
      action({ name: 'TakeSecond', actor: (i) => `Ph${i}`, over: ids, when: (i) => ({ [`pc[${i}]`]: 'one' }),
        guard: (s, i) => s.fork.get(second(i)) === -1,
        effect: (_s, n, i) => { n.fork.set(second(i), i); n.pc.set(i, 'eating'); } }),
      action({ name: 'Release', actor: (i) => `Ph${i}`, over: ids, when: (i) => ({ [`pc[${i}]`]: 'eating' }),
        effect: (_s, n, i) => { n.fork.set(left(i), -1); n.fork.set(right(i), -1); n.pc.set(i, 'thinking'); } }),
    ];
  },
  invariants: (p, { invariant }) => [
    invariant('ForksHeld', 'an eating philosopher holds both its forks', (s) => {
      for (let i = 0; i < p.n; i++) if (s.pc.get(i) === 'eating' && (s.fork.get(i) !== i || s.fork.get((i + 1) % p.n) !== i)) return false;
      return true;
    }),
  ],
  sometimes: (_p, { sometimes }) => [sometimes('SomeoneEats', 'a philosopher eats', (s) => s.pc.toArray().includes('eating'))],
  mutants: [{ id: 'left-first', kills: ['Deadlock'], why: 'everyone takes the left fork first: circular wait' }],
  ci: [{ name: 'two', params: { n: 2 } }, { name: 'three', params: { n: 3 } }, { name: 'five', params: { n: 5 } }],
  goldenFile: goldenFile(import.meta.url, 'philosophers.golden.json'),
});
