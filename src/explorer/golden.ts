// Golden figures: distinct / generated / depth per CI configuration, recorded
// from a trusted run by `mc check --update-golden` and compared by `mc check`.
// They live in golden.json beside the model's source (never in dist/), so the
// file a reviewer reads in a diff is the one the gate uses.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Golden } from './model.js';

export type GoldenTable = Record<string, Golden>;

/** The golden file beside a model module; a module compiled into dist/ maps back to its source folder. */
export function goldenFile(moduleUrl: string, fileName = 'golden.json'): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  const marker = `${sep}dist${sep}`;
  const i = dir.lastIndexOf(marker);
  if (i >= 0) dir = dir.slice(0, i) + sep + dir.slice(i + marker.length);
  return join(dir, fileName);
}

export function readGolden(path: string | undefined): GoldenTable {
  if (!path || !existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as GoldenTable;
}

export function writeGolden(path: string, table: GoldenTable): void {
  const sorted = Object.fromEntries(Object.keys(table).sort().map((k) => [k, table[k]!]));
  writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}
