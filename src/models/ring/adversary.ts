// The adversary X (A.5): a hostile sibling thread that stores any value into any
// shared field of the ring page, within its scribble budget.
import { OPS, type Cfg, type Kit, type Op, type R } from './state.js';

/** The argument of X.Scribble: the field, as traces print it, and the value stored. */
interface ScribbleArg { readonly f: string; readonly v: number | string }
type Kind = 'sq_tail' | 'sq_head' | 'cq_head' | 'cq_tail' | 'op' | 'id';

/** X.Scribble(field, value): one store of any value into any shared field. */
export function scribbleAction(c: Cfg, { action }: Kit) {
  const { N, K, MS, MC } = c;
  const args: ScribbleArg[] = [];
  // Only f and v are enumerable: they make the instance name X.Scribble(f,v).
  const mk = (f: string, v: number | string, kind: Kind, j = 0): void => {
    const a = { f, v };
    Object.defineProperty(a, 'kind', { value: kind, enumerable: false });
    Object.defineProperty(a, 'j', { value: j, enumerable: false });
    args.push(a);
  };
  for (let v = 0; v < MS; v++) mk('sq_tail_sh', v, 'sq_tail');
  for (let v = 0; v < MS; v++) mk('sq_head_sh', v, 'sq_head');
  for (let v = 0; v < MC; v++) mk('cq_head_sh', v, 'cq_head');
  for (let v = 0; v < MC; v++) mk('cq_tail_sh', v, 'cq_tail');
  for (let j = 0; j < N; j++) {
    for (const op of OPS) mk(`sqe[${j}].op`, op, 'op', j);
    for (let v = 0; v <= K; v++) mk(`sqe[${j}].id`, v, 'id', j);
  }
  const K_ = (a: ScribbleArg): Kind => (a as unknown as { kind: Kind }).kind;
  const J = (a: ScribbleArg): number => (a as unknown as { j: number }).j;
  const current = (s: R, a: ScribbleArg): number | string => {
    switch (K_(a)) {
      case 'sq_tail': return s.sq_tail_sh;
      case 'sq_head': return s.sq_head_sh;
      case 'cq_head': return s.cq_head_sh;
      case 'cq_tail': return s.cq_tail_sh;
      case 'op': return s.sqe.at(J(a)).op;
      case 'id': return s.sqe.at(J(a)).id;
    }
  };
  return action({
    name: 'X.Scribble', actor: 'X', over: args,
    guard: (s, a) => s.x_budget > 0 && current(s, a) !== a.v,
    effect: (s, n, a) => {
      switch (K_(a)) {
        case 'sq_tail': n.sq_tail_sh = a.v as number; break;
        case 'sq_head': n.sq_head_sh = a.v as number; break;
        case 'cq_head': n.cq_head_sh = a.v as number; break;
        case 'cq_tail': n.cq_tail_sh = a.v as number; break;
        case 'op': n.sqe.at(J(a)).op = a.v as Op; n.g_sq_pos.set(J(a), -1); break;
        case 'id': n.sqe.at(J(a)).id = a.v as number; n.g_sq_pos.set(J(a), -1); break;
      }
      n.x_budget = s.x_budget - 1;
      n.g_bad_seen = 0;
    },
  });
}
