// The Markdown summary's Mermaid sequence diagrams (`mc check --markdown`): they parse with the real
// Mermaid parser (the devDependency `mermaid`, which parses headless in Node) for any actor or action
// name, with one participant per distinct actor and a lasso's cycle in a `loop` block. Labels come back
// exactly: Mermaid's db holds entity codes as its own markers, which its renderer turns into HTML
// entities in the SVG; decoding both here gives the text a reader sees.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mermaidJs from 'mermaid';
import { describe, expect, it } from 'vitest';
import { fixture, mc, ROOT } from './helpers.js';
import { mermaid, mermaidText } from '../src/cli/check.js';
import type { TraceStep } from '../src/explorer/trace.js';
import { ACTORS } from './fixtures/mermaid-names.js';

interface Parsed { actors: { id: string; label: string }[]; messages: { type: string; from?: string; text: string }[] }

/** What a reader sees: Mermaid's entity markers (as its renderer decodes them), then the numeric HTML entities. */
const shown = (t: string): string => t.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';').replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

/** Parses with the real Mermaid parser (throws on a syntax error) and returns the participants and messages in order. */
async function parse(text: string): Promise<Parsed> {
  await mermaidJs.parse(text);
  const db = (await mermaidJs.mermaidAPI.getDiagramFromText(text)).db as any;
  const names: Record<number, string> = Object.fromEntries(Object.entries(db.LINETYPE as Record<string, number>).map(([k, v]) => [v, k]));
  return {
    actors: [...(db.getActors() as Map<string, { name: string; description: string }>).values()].map((a) => ({ id: a.name, label: shown(a.description) })),
    // `from` for messages only (a note keeps the participant it is over there too)
    messages: (db.getMessages() as { type: number; from?: string; message: string }[]).map((m) => {
      const type = names[m.type] ?? String(m.type);
      return { type, ...(m.from && type !== 'NOTE' ? { from: m.from } : {}), text: shown(m.message) };
    }),
  };
}

const step = (n: number, action: string | null, actor: string | null, changes: [string, string][] = []): TraceStep =>
  ({ step: n, action, actor, changes: changes.map(([field, to]) => ({ field, from: '', to })), state: {} });

// Names that broke the old diagrams, and more: keywords, statement and entity syntax, HTML, comments, fences.
const NASTY = ['end', 'loop', 'Note', 'box', 'opt', 'par', 'alt', 'else', 'rect', 'participant', 'a:b', 'a;b', '<b>', '<br>', 'x#35;y', '#', '&lt;', '%%{init: {"theme":"dark"}}%%', '%% no comment', 'wrap:me', 'nowrap:x', ' pad ', '```', 'A1', 'A1->>A2: hi', 'tab\there', 'new\nline', 'ﬂ°lt¶ß', '≤ ⇒ ∀', 'style x:#f00;'];

describe('mermaidText', () => {
  it('turns exactly the characters Mermaid or Markdown would read as syntax into numeric entity codes', () => {
    expect(mermaidText('K.Copy(sq_tail_sh,3) pc[0]=idle')).toBe('K.Copy(sq_tail_sh,3) pc[0]=idle');
    expect(mermaidText('end')).toBe('end');
    expect(mermaidText('a;b')).toBe('a#59;b');
    expect(mermaidText('a:b')).toBe('a#58;b');
    expect(mermaidText('<b>')).toBe('#60;b#62;');
    expect(mermaidText('x#35;y')).toBe('x#35;35#59;y');
    expect(mermaidText('&')).toBe('#38;');
    expect(mermaidText('%%{init}%%')).toBe('#37;#37;{init}#37;#37;');
    expect(mermaidText('```')).toBe('#96;#96;#96;');
    expect(mermaidText(' pad  me ')).toBe('#32;pad  me#32;');
    expect(mermaidText('new\nline\t')).toBe('new#10;line#9;');
    expect(mermaidText('ﬂ°¶ß')).toBe('#64258;#176;#182;#223;');
    expect(mermaidText('≤ ⇒ ∀ "q" {x} a\\b')).toBe('≤ ⇒ ∀ "q" {x} a\\b');
  });
  it('every name comes back as itself through the real parser, as a participant, a message, a loop label and a note', async () => {
    for (const name of NASTY) {
      const p = await parse(['sequenceDiagram', `  participant A1 as ${mermaidText(name)}`, `  loop ${mermaidText(name)}`, `    A1->>A1: 2. ${mermaidText(name)}`, '  end', `  Note over A1: ${mermaidText(name)}`].join('\n'));
      expect(p.actors, JSON.stringify(name)).toEqual([{ id: 'A1', label: name }]);
      expect(p.messages.map((m) => [m.type, m.text]), JSON.stringify(name)).toEqual([['LOOP_START', name], ['SOLID', `2. ${name}`], ['LOOP_END', ''], ['NOTE', name]]);
    }
  });
  it('without it, these names break the parser or come back changed', async () => {
    const broken = async (name: string): Promise<boolean> => {
      try { const p = await parse(`sequenceDiagram\n  participant A1 as ${name}\n  A1->>A1: 2. ${name}\n`); return p.actors[0]?.label !== name || p.messages[0]?.text !== `2. ${name}`; } catch { return true; }
    };
    for (const name of ['a;b', 'x#35;y', '%%{init: {"theme":"dark"}}%%', 'wrap:me', ' pad ', 'new\nline', '#lt;']) expect(await broken(name), JSON.stringify(name)).toBe(true);
    expect(await broken('plain name')).toBe(false);
  });
});

describe('mermaid', () => {
  it('one participant per distinct actor, every step a message from its actor, each label as it was', async () => {
    const actors = [...NASTY, 'idle'];
    const trace = [step(1, null, null, [['pc[0]', 'idle']]), ...NASTY.map((a, i) => step(i + 2, `${a}.go`, a, [[`done[${i}]`, 'true;#1']]))];
    const p = await parse(mermaid(actors, trace));
    expect(p.actors.map((a) => a.label)).toEqual(NASTY); // 'idle' never acts: no lifeline
    expect(new Set(p.actors.map((a) => a.id)).size).toBe(NASTY.length);
    const idOf = new Map(p.actors.map((a) => [a.label, a.id]));
    expect(p.messages[0]).toEqual({ type: 'NOTE', text: '1. initial state' });
    expect(p.messages.slice(1)).toEqual(NASTY.map((a, i) => ({ type: 'SOLID', from: idOf.get(a), text: `${i + 2}. ${a}.go (done[${i}]=true;#1)` })));
  });
  it("actors 'a:b' and 'a;b' are two participants", async () => {
    const p = await parse(mermaid(['a:b', 'a;b'], [step(1, null, null), step(2, 'X', 'a:b'), step(3, 'X', 'a;b')]));
    expect(p.actors).toEqual([{ id: 'A1', label: 'a:b' }, { id: 'A2', label: 'a;b' }]);
    expect(p.messages.slice(1).map((m) => m.from)).toEqual(['A1', 'A2']);
  });
  it("a lasso's cycle is a loop block: the steps after loopStart, to the end", async () => {
    const trace = [step(1, null, null), step(2, 'Enter', 'P'), step(3, 'Spin', 'Q'), step(4, 'Spin back', 'Q')];
    const text = mermaid(['P', 'Q'], trace, { loopStart: 2, stutter: false });
    const p = await parse(text);
    expect(p.messages.map((m) => [m.type, m.text])).toEqual([
      ['NOTE', '1. initial state'], ['SOLID', '2. Enter'],
      ['LOOP_START', 'cycle of steps 3..4, repeating forever (back to the state of step 2)'], ['SOLID', '3. Spin'], ['SOLID', '4. Spin back'], ['LOOP_END', ''],
    ]);
    // a cycle from the initial state
    expect((await parse(mermaid(['Q'], [step(1, null, null), step(2, 'Spin', 'Q')], { loopStart: 1 }))).messages.map((m) => [m.type, m.text])).toEqual([
      ['NOTE', '1. initial state'], ['LOOP_START', 'cycle of step 2, repeating forever (back to the state of step 1)'], ['SOLID', '2. Spin'], ['LOOP_END', ''],
    ]);
  });
  it('a stuttering cycle (the last state repeats forever) is a note, and a trace with no lasso has neither', async () => {
    const trace = [step(1, null, null), step(2, 'Enter', 'P'), step(3, 'Leave', 'P')];
    const p = await parse(mermaid(['P'], trace, { loopStart: 3, stutter: true }));
    expect(p.messages.map((m) => [m.type, m.text])).toEqual([['NOTE', '1. initial state'], ['SOLID', '2. Enter'], ['SOLID', '3. Leave'], ['NOTE', 'the state of step 3 repeats forever (no action under fairness is enabled there)']]);
    expect((await parse(mermaid(['P'], trace))).messages.map((m) => m.type)).toEqual(['NOTE', 'SOLID', 'SOLID']);
  });
  it('a trace of the initial state alone still parses, with the model\'s actors for its note', async () => {
    const p = await parse(mermaid(['P', 'Q', 'P'], [step(1, null, null)]));
    expect(p.actors.map((a) => a.label)).toEqual(['P', 'Q']);
    expect(p.messages).toEqual([{ type: 'NOTE', text: '1. initial state' }]);
  });
});

describe('mc check --markdown', () => {
  it('writes diagrams that parse, for actor names that are Mermaid keywords and syntax, with the lasso marked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-mermaid-'));
    const model = join(dir, 'mermaid-names.ts'), md = join(dir, 'summary.md');
    writeFileSync(model, readFileSync(fixture('mermaid-names.ts'), 'utf8').replaceAll('../../src/', `${ROOT}/src/`));
    const r = mc('check', model, '--update-golden', '--markdown', md);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const text = readFileSync(md, 'utf8');
    const blocks = [...text.matchAll(/^### (\S+): .*\n\n```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => ({ id: m[1]!, diagram: m[2]! }));
    expect(blocks.map((b) => b.id)).toEqual(['all', 'stuck']);
    // The fence closes where the diagram ends: no line inside starts a fence.
    for (const b of blocks) expect(b.diagram).not.toMatch(/^\s*```/m);
    const all = await parse(blocks[0]!.diagram);
    expect(all.actors.map((a) => a.label)).toEqual(ACTORS);
    const trace = mc('run', model, '--mutant', 'all', '--json').json.violation.trace as { step: number; action: string | null; actor: string | null; changes: { field: string; to: string }[] }[];
    expect(all.messages.slice(1).map((m) => m.text)).toEqual(trace.slice(1).map((s) => `${s.step}. ${s.action} (${s.changes.map((c) => `${c.field}=${c.to}`).join(', ')})`));
    expect(all.messages.slice(1).map((m) => all.actors.find((a) => a.id === m.from)!.label)).toEqual(trace.slice(1).map((s) => s.actor));
    const stuck = await parse(blocks[1]!.diagram);
    expect(stuck.actors.map((a) => a.label)).toEqual(['loop']);
    expect(stuck.messages.map((m) => [m.type, m.text])).toEqual([
      ['NOTE', '1. initial state'], ['LOOP_START', 'cycle of steps 2..3, repeating forever (back to the state of step 1)'],
      ['SOLID', '2. spin;#1 (t=true)'], ['SOLID', '3. spin;#1 (t=false)'], ['LOOP_END', ''],
    ]);
  });
});
