// The README's model code is the examples' code: each ```ts block marked <!-- examples/X.ts --> must
// equal that file, which test/types.test.ts type-checks and test/examples.test.ts runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/<!-- (examples\/[\w.-]+\.ts) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => ({ file: m[1]!, code: m[2]! }));

describe('README', () => {
  it('embeds the worked example and the tour of every construct', () => {
    expect(blocks.map((b) => b.file)).toEqual(expect.arrayContaining(['examples/lock.ts', 'examples/tour.ts']));
  });
  for (const b of blocks) {
    it(`its copy of ${b.file} is the file`, () => {
      expect(b.code).toBe(readFileSync(resolve(ROOT, b.file), 'utf8'));
    });
  }
  it('has no ```ts block outside the marked examples', () => {
    expect((readme.match(/```ts\n/g) ?? []).length).toBe(blocks.length);
  });
});
