// The mutants of protocols.md D.8 and ours (M-D8..M-D16), each a one-line change in
// the model (branches on c.m), each with the property that must kill it.
import type { MutantDef } from '../../explorer/model.js';
import type { params } from './state.js';

/** The mutant ids, as the model's branches name them. */
export const M = {
  D1: 'M-D1', D2: 'M-D2', D3: 'M-D3', D4: 'M-D4', D5: 'M-D5', D6: 'M-D6', D7: 'M-D7',
  alias: 'M-D8-no-alias-check',
  noQuarantine: 'M-D9-no-quarantine',
  reapWhileReset: 'M-D10-reap-while-reset',
  unmapDuringMap: 'M-D11-unmap-during-map',
  leakDone: 'M-D12-reset-leaks-done-pins',
  scrubWrongState: 'M-D13-scrub-only-quarantined',
  remapDuringUnmap: 'M-D14-remap-during-unmap',
  noBump: 'M-D15-no-epoch-bump',
  rejectUnpins: 'M-D16-reject-still-unpins',
} as const;

export const MUTANTS: readonly MutantDef<typeof params>[] = [
  { id: M.D1, kills: ['RecordBeforePteInstall'], why: 'D.8: the PTE is installed straight from the handle and the ledger record written afterwards' },
  { id: M.D2, kills: ['DrivePin', 'Quarantine'], why: 'D.8: U5 marks the page Dirty even when pins>0' },
  { id: M.D3, kills: ['StaleHandleRejected'], why: 'D.8: KP.Free does not bump gen, so an old handle passes the gate for the new allocation' },
  { id: M.D4, kills: ['NoStrayDMA'], why: 'D.8: no IOTLB invalidation (U3) before U4/U5: the device reaches the revoked page through a stale IOTLB entry' },
  { id: M.D5, kills: ['EpochFence', 'StaleCompletionRejected'], why: 'D.8: EnableQueue does not wait for the epoch bump R3' },
  { id: M.D6, kills: ['ScrubBeforeFree'], why: 'D.8: KP.Free without the content=Zero guard' },
  { id: M.D7, kills: ['DrivePin', 'StaleCompletionRejected'], why: 'D.8: KP.Reap omits the epoch test: an old-epoch completion whose pin the reset released unpins again' },
  { id: M.alias, kills: ['NoCrossDomainAlias'], params: { iovas: 2 }, why: 'KP.MapRecord omits "no record maps p": the page gets a second IOVA (of its own device\'s domain, so it needs 2 IOVAs)' },
  { id: M.noQuarantine, kills: ['Quarantine'], why: 'U5 leaves a pinned page Owned (no quarantine)' },
  { id: M.reapWhileReset, kills: ['StaleCompletionRejected', 'DrivePin'], why: 'KP.Reap also reaps a queue under reset: between R2 (pins released) and R3 (epoch bump) a completion passes the epoch test and unpins twice' },
  { id: M.unmapDuringMap, kills: ['RecordBeforePteInstall', 'NoStrayDMA'], why: 'MGR.Unmap.U1 does not wait for a pending PTE install of the same IOVA: the install lands after U1 and survives the record' },
  { id: M.remapDuringUnmap, kills: ['NoStrayDMA'], why: 'KP.MapRecord accepts a page whose unmap is between U4 (record gone) and U5: the new mapping survives U5 marking the page Dirty' },
  { id: M.rejectUnpins, kills: ['NoReExposeBeforeCompletion'], why: 'KP.Reap unpins a completion it rejects as stale: that pin was already released, so the one a newer descriptor holds is lost, and the page is recycled while that descriptor is still outstanding' },
  { id: M.noBump, kills: ['Deadlock'], params: { devices: 1, pages: 1, iovas: 1 }, why: 'MGR never performs R3: EnableQueue (correctly) waits for the epoch bump, so a reset queue stays disabled for good: a stuck state the deadlock policy does not expect' },
  { id: M.leakDone, kills: ['QuarantineEventuallyDrained'], params: { devices: 1, pages: 1, iovas: 1, publishes: 1 }, why: 'R2 releases the pins of in-flight descriptors only; completed, unreaped ones keep theirs, and the epoch test then rejects them forever' },
  { id: M.scrubWrongState, kills: ['EventuallyScrubbedAndFreed'], params: { devices: 1, pages: 1, iovas: 1, publishes: 1 }, why: 'KP.Scrub tests the wrong state (Quarantined instead of Dirty): a written Dirty page is never scrubbed, so never freed' },
];
