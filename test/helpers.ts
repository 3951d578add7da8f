// Runs the built `mc` binary (tests exercise what users run, not the sources).
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const MC = resolve(ROOT, 'dist/src/cli/main.js');

export interface McRun { code: number; stdout: string; stderr: string; json: any }

export const mc = (...args: string[]): McRun => mcWithEnv({}, ...args);

/** mc with these environment variables set too. */
export function mcWithEnv(env: Record<string, string>, ...args: string[]): McRun {
  const r = spawnSync(process.execPath, [MC, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 * 2 ** 20 });
  let json: any = null;
  if (args.includes('--json')) { try { json = JSON.parse(r.stdout); } catch { json = null; } }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

export const fixture = (name: string): string => `test/fixtures/${name}`;

/** Runs the built binary with --json, sends it Ctrl-C (SIGINT) after `ms`, and returns its exit code and document. */
export async function interruptedRun(args: string[], ms: number): Promise<{ code: number | null; json: any }> {
  const child = spawn(process.execPath, [MC, ...args, '--json'], { cwd: ROOT });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, json: JSON.parse(out) };
}
