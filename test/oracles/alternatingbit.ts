// Oracle: the alternating bit protocol of Lamport's "Specifying Systems" (ch. 14),
// tlaplus/Examples specifications/SpecifyingSystems/TLC/AlternatingBit.tla, checked through
// MCAlternatingBit with Data = {d1, d2} and both queues bounded at 2 by a state constraint.
// Published by TLC: 240 distinct / 1,392 generated / depth 10.
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { enumOf, int, list, tuple } from '../../src/explorer/schema.js';

const DATA = ['d1', 'd2'] as const;
const Data = enumOf(DATA);

const params = {
  msgQLen: intParam({ min: 1, max: 6, default: 2, help: 'state constraint: Len(msgQ) <= msgQLen' }),
  ackQLen: intParam({ min: 1, max: 6, default: 2, help: 'state constraint: Len(ackQ) <= ackQLen' }),
};
// Each queue holds one more than its bound: a successor that overflows the constraint must still be
// representable, since TLC generates (counts) it before the constraint drops it.
const state = (p: Ctx<typeof params>) => ({
  msgQ: list(p.msgQLen + 1, tuple([int(0, 1), Data])), // messages <<bit, data>>
  ackQ: list(p.ackQLen + 1, int(0, 1)),
  sBit: int(0, 1), sAck: int(0, 1), rBit: int(0, 1),
  sent: Data, rcvd: Data,
});

export default defineModel({
  name: 'alternatingbit',
  description: 'the alternating bit protocol over lossy FIFO channels (Specifying Systems, AlternatingBit.tla)',
  params,
  state,
  // ABInit: queues empty, sBit \in {0,1}, sAck = rBit = sBit, sent, rcvd \in Data (8 states).
  init: () => [0, 1].flatMap((b) => DATA.flatMap((sent) => DATA.map((rcvd) => ({ msgQ: [], ackQ: [], sBit: b, sAck: b, rBit: b, sent, rcvd })))),
  actions: (p, { action }) => [
    action({ name: 'SndNewValue', actor: 'Sender', over: Data, guard: (s) => s.sAck === s.sBit,
      effect: (s, n, d) => { n.sent = d; n.sBit = 1 - s.sBit; n.msgQ.push([n.sBit, d]); } }),
    action({ name: 'ReSndMsg', actor: 'Sender', guard: (s) => s.sAck !== s.sBit && p.mutant !== 'no-retransmit',
      effect: (s, n) => { n.msgQ.push([s.sBit, s.sent]); } }),
    action({ name: 'RcvMsg', actor: 'Receiver', guard: (s) => s.msgQ.length > 0,
      effect: (s, n) => {
        const i = p.mutant === 'lifo-receive' ? s.msgQ.length - 1 : 0;
        [n.rBit, n.rcvd] = s.msgQ.get(i);
        n.msgQ.removeAt(i);
      } }),
    action({ name: 'SndAck', actor: 'Receiver', effect: (s, n) => { n.ackQ.push(s.rBit); } }),
    action({ name: 'RcvAck', actor: 'Sender', guard: (s) => s.ackQ.length > 0,
      effect: (_s, n) => { n.sAck = n.ackQ.shift(); } }),
    // Lose(c): \E i \in 1..Len(c): drop element i (one successor per position, even when two are equal).
    action({ name: 'LoseMsg', actor: 'MsgChannel', over: int(0, p.msgQLen),
      guard: (s, i) => i < s.msgQ.length, effect: (_s, n, i) => { n.msgQ.removeAt(i); } }),
    action({ name: 'LoseAck', actor: 'AckChannel', over: int(0, p.ackQLen),
      guard: (s, i) => i < s.ackQ.length, effect: (_s, n, i) => { n.ackQ.removeAt(i); } }),
  ],
  constraint: (p) => (s) => s.msgQ.length <= p.msgQLen && s.ackQ.length <= p.ackQLen,
  // State invariants of ABCorrectness, the high-level spec ABSpec refines: the sender only moves on once the
  // receiver has taken the current bit, and a receiver that has the current bit has the current value.
  invariants: (_p, { invariant }) => [invariant('Delivered', 'sAck = sBit => rBit = sBit, and rBit = sBit # sAck => rcvd = sent',
    (s) => (s.sAck !== s.sBit || s.rBit === s.sBit) && (s.rBit !== s.sBit || s.sAck === s.sBit || s.rcvd === s.sent))],
  // SentLeadsToRcvd == \A d \in Data: (sent = d) /\ (sBit # sAck) ~> (rcvd = d), under ABFairness.
  liveness: (p, { leadsTo, WF, SF }) => DATA.map((d) => leadsTo(`SentLeadsToRcvd(${d})`, `a value ${d} being sent is eventually received`,
    (s) => s.sent === d && s.sBit !== s.sAck, (s) => s.rcvd === d,
    { fairness: p.mutant === 'unfair' ? [] : [WF({ action: 'ReSndMsg' }), WF({ action: 'SndAck' }), SF({ action: 'RcvMsg' }), SF({ action: 'RcvAck' })] })),
  // TLA+ semantics: any state may stutter forever unless fairness forbids it.
  stuttering: 'anywhere',
  // SndAck is always enabled: the protocol never deadlocks.
  deadlock: () => 'error',
  mutants: [
    { id: 'lifo-receive', kills: ['Delivered'], why: 'RcvMsg takes the newest message, not the head: over a reordering channel a stale <<bit, data>> from two rounds back is accepted as new' },
    { id: 'no-retransmit', kills: ['SentLeadsToRcvd(d1)', 'SentLeadsToRcvd(d2)'], why: 'the sender never retransmits (ReSndMsg never enabled): once the channel loses the message the value is never received' },
    { id: 'unfair', kills: ['SentLeadsToRcvd(d1)', 'SentLeadsToRcvd(d2)'], why: 'ABFairness removed: the system may stutter forever with a value unreceived' },
  ],
});
