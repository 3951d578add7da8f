// Values and thrown things as messages show them.

/**
 * A value as a message shows it: numbers as JavaScript prints them (NaN, Infinity: JSON would say null), strings
 * quoted, arrays and objects element by element (shortened), a view as the value it holds.
 */
export function showValue(v: unknown, depth = 0): string {
  switch (typeof v) {
    case 'number': case 'boolean': case 'undefined': return String(v);
    case 'string': return JSON.stringify(v);
    case 'bigint': return `${v}n`;
    case 'symbol': return v.toString();
    case 'function': return `function ${v.name || '(anonymous)'}`;
  }
  if (v === null) return 'null';
  if (depth > 2) return '...';
  const plain = (v as { $plain?: unknown }).$plain;
  if (typeof plain === 'function') { try { return showValue(plain.call(v), depth); } catch { /* not one of mc's views */ } }
  const more = (n: number): string => (n > 8 ? ', ...' : '');
  let text: string;
  if (Array.isArray(v)) text = `[${v.slice(0, 8).map((x) => showValue(x, depth + 1)).join(', ')}${more(v.length)}]`;
  else {
    let keys: string[];
    try { keys = Object.keys(v as object); } catch { return Object.prototype.toString.call(v); }
    text = keys.length ? `{ ${keys.slice(0, 8).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${showValue((v as Record<string, unknown>)[k], depth + 1)}`).join(', ')}${more(keys.length)} }` : '{}';
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** What kind of value v is, as a message names it ('a string', 'an array'), or null for null and undefined (which name themselves). */
export function kindOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return typeof (v as { $plain?: unknown }).$plain === 'function' ? 'a view' : 'an object';
  return typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : typeof v === 'boolean' ? 'a boolean' : `a ${typeof v}`;
}

/** A wrong value as a message shows it, with its kind when that is not the kind the field holds: `"2" (a string)`, but `NaN`, `7`. */
export function shownAs(v: unknown, expected: 'a number' | 'a string' | 'a boolean' | 'an array' | 'an object'): string {
  const k = kindOf(v);
  return k === null || k === expected ? showValue(v) : `${showValue(v)} (${k})`;
}

/**
 * What the model's code threw, as a message: an Error's message, after its name unless that is plain Error
 * (`TypeError: Cannot read properties of undefined`); a string as itself; anything else shown with its kind.
 */
export function thrownMessage(e: unknown): string {
  const name = (e as { name?: unknown })?.name, message = (e as { message?: unknown })?.message;
  if (e instanceof Error || (typeof e === 'object' && e !== null && typeof message === 'string' && typeof name === 'string')) {
    const text = typeof message === 'string' && message !== '' ? message : '(an error with no message)';
    return typeof name === 'string' && name !== '' && name !== 'Error' ? `${name}: ${text}` : text;
  }
  if (typeof e === 'string') return e;
  const kind = kindOf(e);
  return `${showValue(e)} (${kind ? `${kind}, ` : ''}thrown instead of an Error)`;
}

/** A view used wrongly: a write to a read-only view, to a field the state does not have, or to a fixed property (an array's length). */
export class ViewError extends Error {
  constructor(readonly kind: 'input' | 'unknown' | 'fixed', readonly field: string, readonly hint = '') {
    super(kind === 'input' ? `wrote field '${field}' of a read-only view of the state`
      : kind === 'unknown' ? (hint ? `wrote '${field}', which is not a field (${hint})` : `wrote field '${field}', which the state does not have`)
      : `wrote '${field}', which cannot be written (${hint})`);
  }
  /** The message for an action (which may write its successor n) or for a reader (a property, policy or constraint: `who` names it). */
  explain(who: string, isAction: boolean): string {
    if (this.kind === 'input') return isAction ? `${who} wrote its input state s (field '${this.field}'): write the successor n` : `${who} wrote field '${this.field}' of the state it reads (properties, policies and constraints only read the state)`;
    return `${who} ${this.message}`;
  }
}

