// The driver DRV (D.4): publishes a descriptor through the stale-handle gate,
// which pins the page.
import { descIndex, instanceArgs, isLive, type Cfg, type Kit } from './state.js';

const bits = (v: number): number => { let n = 0; while (v) { v &= v - 1; n++; } return n; };

/** DRV.Publish through the stale-handle gate (Owned, gen, owner, record at the IOVA); a rejected handle or a full queue is a stutter. */
export function publishAction(c: Cfg, { action }: Kit) {
  const { Q, B } = c;
  const { DIHs } = instanceArgs(c);
  return action({
    name: 'DRV.Publish', actor: 'DRV', over: DIHs,
    guard: (s, a) => s.q.at(a.d).enabled && s.handles.at(a.d).has(a.h) && (B === 0 || s.pub_left.get(a.d) > 0),
    effect: (s, n, a) => {
      const pgn = c.hP[a.h]!, g = c.hG[a.h]!, pg = s.page.at(pgn), q = s.q.at(a.d);
      const live = isLive(c, s, a.d, a.h);
      if (pg.st !== 'Owned' || g !== pg.gen || pg.owner !== a.d || s.rec.at(a.d).at(a.i).page !== pgn + 1) {
        return false; // rejected, no mutation: a stutter
      }
      const x = descIndex(c, a.i, pgn, g, q.epoch);
      // A queue of `depth` descriptors; one descriptor per (iova, page, gen, epoch) at a time.
      if (bits(q.inflight.bits) + bits(q.done.bits) >= Q || q.inflight.has(x) || q.done.has(x)) return false;
      if (!live) n.g_stale_handle_accepted = true;
      n.page.at(pgn).pins = pg.pins + 1;
      n.q.at(a.d).inflight.add(x);
      if (B > 0) n.pub_left.set(a.d, s.pub_left.get(a.d) - 1);
    },
  });
}
