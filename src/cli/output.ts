// What mc prints and writes: the exit codes, the output mode (--json, --jsonl, --debug: read from the
// command line before commander parses it, so that its errors are printed in that mode too), stdout and
// stderr, and the output files (--trace-out, --junit, --markdown).
import { accessSync, constants as fsConstants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../explorer/model.js';

export const EXIT = { ok: 0, violation: 1, usage: 2, model: 3, incomplete: 4, gate: 5 } as const;

/** The output mode (main sets it): JSON documents (--json or --jsonl), on one line each (--jsonl: JSON Lines), stack traces (--debug). */
export const mode = { json: false, jsonLines: false, debug: false };
/** A JSON document on stdout: indented, or on one line with --jsonl (JSON Lines). */
export const jsonDoc = (doc: unknown): string => `${mode.jsonLines ? JSON.stringify(doc) : JSON.stringify(doc, null, 2)}\n`;

export const out = (s: string): void => { process.stdout.write(s); };
export const err = (s: string): void => { process.stderr.write(s); };

/** What a failed file operation means, in words, with Node's code. */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system',
    ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EISDIR: 'it is a directory', ENOTDIR: 'not a directory', EIO: 'input/output error',
  };
  return code && words[code] ? `${words[code]} (${code})` : (e as Error)?.message ?? String(e);
}

/**
 * An output file (--trace-out, --junit, --markdown) that cannot be written is a usage error before the search, not a
 * report lost after it: the file must be writable, or not exist in a directory that does. Nothing is created here.
 */
export function checkOutputFile(flag: string, file: string): void {
  const path = resolve(file);
  const bad = (why: string): never => { throw new UsageError(`${flag} '${file}' cannot be written: ${why}`); };
  if (file === '') throw new UsageError(`${flag} needs the name of a file to write`);
  let isDir: boolean | null = null;
  try { isDir = statSync(path).isDirectory(); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') bad(fsReason(e)); }
  if (isDir) bad('it is a directory (give the name of a file to write)');
  if (isDir === false) { try { accessSync(path, fsConstants.W_OK); } catch (e) { bad(fsReason(e)); } return; }
  // A new file: its directory must exist and be writable. Name the first part of the path that is missing or not a directory.
  let dir = dirname(path);
  let shown = dirname(file);
  for (;;) {
    let st;
    try { st = statSync(dir); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') { const up = dirname(dir); if (up !== dir) { dir = up; shown = dirname(shown); continue; } }
      bad(fsReason(e));
    }
    if (!st!.isDirectory()) bad(`'${shown}' is a file, not a directory`);
    break;
  }
  if (dir !== dirname(path)) bad(`the directory '${dirname(file)}' does not exist`);
  try { accessSync(dir, fsConstants.W_OK); } catch (e) { bad(`the directory '${dirname(file)}' is not writable: ${fsReason(e)}`); }
}

/** Writes an output file at the end of a command. A failure is stated on stderr (the report is printed all the same); false then. */
export function writeOutput(flag: string, file: string, text: string, where: string): boolean {
  try { writeFileSync(file, text); return true; } catch (e) {
    err(`mc: ${flag} '${file}' could not be written: ${fsReason(e)}; ${where}\n`);
    return false;
  }
}

/** The exit code of a command whose output file could not be written: its own if it says something went wrong, else usage (2). */
export const withWriteFailure = (code: number, wrote: boolean): number => (wrote || code !== EXIT.ok ? code : EXIT.usage);
