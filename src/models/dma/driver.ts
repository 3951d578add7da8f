// The driver DRV (D.4): publishes a descriptor through the stale-handle gate,
// which pins the page.
import { instanceArgs, isLive, type Cfg, type Kit } from './state.js';

/** DRV.Publish through the stale-handle gate (Owned, gen, owner, record at the IOVA); a rejected handle or a full queue is a stutter. */
export function publishAction(c: Cfg, { action }: Kit) {
  const { Q, B } = c;
  const { DIHs } = instanceArgs(c);
  return action({
    name: 'DRV.Publish', actor: 'DRV', over: DIHs,
    when: ({ d }) => ({ [`q[${d}].enabled`]: true }),
    guard: (s, { d, i, h }) => {
      if (B > 0 && s.pub_left.get(d) === 0) return false;
      // The stale-handle gate: a handle it rejects changes nothing (no mutation), so there is no step (a stutter).
      const pg = s.page.get(h[0]);
      return pg.st === 'Owned' && h[1] === pg.gen && pg.owner === d && s.rec.get(d).get(i)?.page === h[0] && s.handles.get(d).has(h);
    },
    effect: (s, n, { d, i, h }) => {
      const p = h[0], g = h[1], pg = s.page.get(p), q = s.q.get(d);
      const x = [i, p, g, q.epoch] as const;
      // A queue of `depth` descriptors; one descriptor per (iova, page, gen, epoch) at a time.
      if (q.inflight.size + q.done.size >= Q || q.inflight.has(x) || q.done.has(x)) return false;
      if (!isLive(s, d, h)) n.g_stale_handle_accepted = true;
      n.page.get(p).pins = pg.pins + 1;
      n.q.get(d).inflight.add(x);
      if (B > 0) n.pub_left.set(d, s.pub_left.get(d) - 1);
    },
  });
}
