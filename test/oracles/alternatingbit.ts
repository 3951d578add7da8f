// Oracle: the alternating bit protocol of Lamport's "Specifying Systems" (ch. 14),
// tlaplus/Examples specifications/SpecifyingSystems/TLC/AlternatingBit.tla, checked through
// MCAlternatingBit with Data = {d1, d2} and both queues bounded at 2 by a state constraint.
// Published by TLC: 240 distinct / 1,392 generated / depth 10.
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { enumOf, int, list, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant, leadsTo, SF, WF } from '../../src/invariants/index.js';

const DATA = ['d1', 'd2'] as const;
type D = (typeof DATA)[number];
// A message <<bit, data>> as one enum value, readable in traces.
const MSGS = ['<<0,d1>>', '<<1,d1>>', '<<0,d2>>', '<<1,d2>>'] as const;
type Msg = (typeof MSGS)[number];
const msg = (bit: number, d: D): Msg => MSGS[bit + 2 * DATA.indexOf(d)]!;
const bitOf = (m: Msg): number => MSGS.indexOf(m) & 1;
const dataOf = (m: Msg): D => DATA[MSGS.indexOf(m) >> 1]!;

const params = {
  msgQLen: intParam({ min: 1, max: 6, default: 2, help: 'state constraint: Len(msgQ) <= msgQLen' }),
  ackQLen: intParam({ min: 1, max: 6, default: 2, help: 'state constraint: Len(ackQ) <= ackQLen' }),
};
// Each queue holds one more than its bound: a successor that overflows the constraint must still be
// representable, since TLC generates (counts) it before the constraint drops it.
const state = (p: Ctx<typeof params>) => ({
  msgQ: list(p.msgQLen + 1, enumOf(MSGS)),
  ackQ: list(p.ackQLen + 1, int(0, 1)),
  sBit: int(0, 1), sAck: int(0, 1), rBit: int(0, 1),
  sent: enumOf(DATA), rcvd: enumOf(DATA),
});
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

export default defineModel({
  name: 'alternatingbit',
  description: 'the alternating bit protocol over lossy FIFO channels (Specifying Systems, AlternatingBit.tla)',
  params,
  state,
  // ABInit: queues empty, sBit \in {0,1}, sAck = rBit = sBit, sent, rcvd \in Data (8 states).
  init: () => [0, 1].flatMap((b) => DATA.flatMap((sent) => DATA.map((rcvd) => ({ msgQ: [], ackQ: [], sBit: b, sAck: b, rBit: b, sent, rcvd })))),
  actions: (p) => [
    { name: 'SndNewValue', actor: 'Sender', over: DATA, guard: (s) => s.sAck === s.sBit,
      effect: (s, n, d: D) => { n.sent = d; n.sBit = 1 - s.sBit; n.msgQ.push(msg(n.sBit, d)); } },
    { name: 'ReSndMsg', actor: 'Sender', guard: (s) => s.sAck !== s.sBit && p.mutant !== 'no-retransmit',
      effect: (s, n) => { n.msgQ.push(msg(s.sBit, s.sent)); } },
    { name: 'RcvMsg', actor: 'Receiver', guard: (s) => s.msgQ.length > 0,
      effect: (s, n) => {
        const i = p.mutant === 'lifo-receive' ? s.msgQ.length - 1 : 0;
        const m = s.msgQ.get(i);
        n.msgQ.removeAt(i); n.rBit = bitOf(m); n.rcvd = dataOf(m);
      } },
    { name: 'SndAck', actor: 'Receiver', effect: (s, n) => { n.ackQ.push(s.rBit); } },
    { name: 'RcvAck', actor: 'Sender', guard: (s) => s.ackQ.length > 0,
      effect: (_s, n) => { n.sAck = n.ackQ.shift(); } },
    // Lose(c): \E i \in 1..Len(c): drop element i (one successor per position, even when two are equal).
    { name: 'LoseMsg', actor: 'MsgChannel', over: Array.from({ length: p.msgQLen + 1 }, (_, i) => i),
      guard: (s, i: number) => i < s.msgQ.length, effect: (_s, n, i: number) => { n.msgQ.removeAt(i); } },
    { name: 'LoseAck', actor: 'AckChannel', over: Array.from({ length: p.ackQLen + 1 }, (_, i) => i),
      guard: (s, i: number) => i < s.ackQ.length, effect: (_s, n, i: number) => { n.ackQ.removeAt(i); } },
  ],
  constraint: (p) => (s) => s.msgQ.length <= p.msgQLen && s.ackQ.length <= p.ackQLen,
  // State invariants of ABCorrectness, the high-level spec ABSpec refines: the sender only moves on once the
  // receiver has taken the current bit, and a receiver that has the current bit has the current value.
  invariants: () => [invariant<R>('Delivered', 'sAck = sBit => rBit = sBit, and rBit = sBit # sAck => rcvd = sent',
    (s) => (s.sAck !== s.sBit || s.rBit === s.sBit) && (s.rBit !== s.sBit || s.sAck === s.sBit || s.rcvd === s.sent))],
  // SentLeadsToRcvd == \A d \in Data: (sent = d) /\ (sBit # sAck) ~> (rcvd = d), under ABFairness.
  liveness: (p) => DATA.map((d) => leadsTo<R>(`SentLeadsToRcvd(${d})`, `a value ${d} being sent is eventually received`,
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
