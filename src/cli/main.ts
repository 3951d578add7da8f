#!/usr/bin/env node
// The `mc` command line: the commands and their options, wired to one file each (cmd-run.ts,
// cmd-mutate.ts, cmd-check.ts, cmd-replay.ts, cmd-show.ts for list and show). Exit codes (output.ts;
// design.md section 5): 0 ok, 1 violation, 2 usage error, 3 model error, 4 incomplete, 5 gate failure.
import { Command, CommanderError, Option } from 'commander';
import { ModelError, UsageError } from '../explorer/model.js';
import { thrownStack } from '../explorer/trace.js';
import { DomainError } from '../explorer/schema.js';
import { loadModel } from './load.js';
import { SCHEMA } from './render.js';
import { err, EXIT, jsonDoc, mode, out } from './output.js';
import { addParamOptions, expandBareBooleans, modelArgument, runOptions, type RunOpts } from './options.js';
// Each command's module is imported when it runs (mc --help, mc show need none of the search's).

export { EXIT };

// A reader that goes away (mc run ... | head) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

async function main(argv: string[]): Promise<number> {
  mode.jsonLines = argv.includes('--jsonl');
  mode.json = argv.includes('--json') || mode.jsonLines;
  mode.debug = argv.includes('--debug');
  // Read before any model is loaded, here and in the threads (which inherit the environment).
  if (argv.includes('--no-cache')) process.env.MC_CACHE = 'off';
  const target = modelArgument(argv);
  // The search thread loads the model meanwhile (src/supervisor/supervise.ts).
  if (target && target.command !== 'show' && !argv.includes('--help') && !argv.includes('-h')) (await import('../supervisor/supervise.js')).prewarm(target.model);
  const model = target && target.command !== 'show' ? await loadModel(target.model) : null;
  if (model) argv = expandBareBooleans(argv, model, target!.index);

  let code: number = EXIT.ok;
  const program = new Command('mc')
    .description('mc: an explicit-state interleaving model checker\n\nExit codes: 0 ok, 1 property violated, 2 usage error, 3 model error, 4 incomplete (budget or interrupt), 5 gate failure (mutant survived, golden drift)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run mc --help, or mc <command> --help)')
    .configureOutput({ writeErr: (s) => { if (!mode.json) err(s); } });

  program.command('list').description('list the built-in models with their parameters, properties and mutants')
    .option('--json', 'print mc.list/1 JSON')
    .action(async (o: { json?: boolean }) => (await import('./cmd-show.js')).cmdList(o));

  program.command('show').description('show one model in full: parameters, actions, properties, mutants, CI configurations')
    .argument('<model>', 'a built-in model name or a path to a model file')
    .option('--json', 'print mc.show/1 JSON')
    .option('--no-cache', 'load a model file without the cache of compiled models (as MC_CACHE=off; docs/design.md)')
    .action(async (name: string, o: { json?: boolean }) => (await import('./cmd-show.js')).cmdShow(name, o));

  const run = runOptions(program.command('run').description('explore every interleaving of a model and check its properties'))
    .argument('<model>', 'a built-in model name or a path to a model file (.js, .mjs, .ts)')
    .option('--trace-out <file>', 'write the counterexample (or the trace to a model error) as JSON for mc replay')
    .addOption(new Option('--jsonl', 'print JSON Lines instead of text: an mc.progress/1 line every 2 s while the search runs, then the mc.result/1 document on one line').conflicts('json'))
    .option('--continue', 'go on searching after a violation (as TLC -continue): the whole state space is counted, and every violated property is reported with its first counterexample')
    .option('--no-cache', 'load a model file without the cache of compiled models (as MC_CACHE=off; docs/design.md)');
  if (model && target!.command === 'run') addParamOptions(run, model);
  run.action(async (_name: string, o: RunOpts & Record<string, unknown>) => { code = await (await import('./cmd-run.js')).cmdRun(model!, o); });

  const mutate = runOptions(program.command('mutate').description('run every declared mutant; each must be killed by the property it declares (exit 5 otherwise)'))
    .argument('<model>', 'a built-in model name or a path to a model file')
    .option('--auto', 'also run the automatic mutants (auto:disable:<action>, auto:drop-guard:<action>) and report which properties each kills')
    .option('--matrix', 'print the kill matrix: rows mutants, columns properties (runs each mutant exhaustively)')
    .option('--no-cache', 'load a model file without the cache of compiled models (as MC_CACHE=off; docs/design.md)');
  if (model && target!.command === 'mutate') addParamOptions(mutate, model);
  mutate.action(async (_name: string, o: RunOpts & Record<string, unknown>) => { code = await (await import('./cmd-mutate.js')).cmdMutate(model!, o); });

  program.command('check').description('the CI gate: CI configurations against golden figures, declared mutants, action coverage, reachability goals (exit 0 or 5)')
    .argument('[models...]', 'models to check (default: every built-in model)')
    .option('--json', 'print mc.check/1 JSON')
    .option('--junit <file>', 'write JUnit XML (one test case per model × configuration and per mutant)')
    .option('--markdown <file>', 'write a Markdown summary with Mermaid sequence diagrams of the counterexamples')
    .option('--update-golden', 'record the figures of passing configurations as the new golden figures (rewrites golden.json)')
    .option('--no-cache', 'load a model file without the cache of compiled models (as MC_CACHE=off; docs/design.md)')
    .action(async (names: string[], o: { json?: boolean; junit?: string; markdown?: string; updateGolden?: boolean }) => { code = await (await import('./cmd-check.js')).cmdCheck(names, o); });

  program.command('replay').description('re-execute a trace written by --trace-out; reports the first step that no longer applies')
    .argument('<trace.json>')
    .option('--json', 'print mc.replay/1 JSON')
    .option('--debug', "show the stack trace where the model's code throws")
    .option('--no-cache', 'load a model file without the cache of compiled models (as MC_CACHE=off; docs/design.md)')
    .action(async (file: string, o: { json?: boolean; debug?: boolean }) => { code = await (await import('./cmd-replay.js')).cmdReplay(file, o); });

  if (argv.length <= 2) { out(program.helpInformation()); return EXIT.usage; }
  await program.parseAsync(argv);
  return code;
}

function fail(code: number, message: string, e?: unknown): number {
  if (mode.json) out(jsonDoc({ schema: SCHEMA.error, exitCode: code, error: message }));
  err(`mc: ${message}\n`);
  if (mode.debug) {
    // The model's own frames when its code threw (and the causes it gave); else where mc raised the error.
    const thrown = thrownStack(e);
    const stack = thrown ?? (e instanceof Error ? e.stack : null);
    if (stack) err(`${thrown ? "mc: --debug: the model's code threw:\n" : ''}${stack}\n`);
  }
  return code;
}

// If the event loop empties before the command settles (a bug: something awaited that nothing will
// resolve), Node would exit with status 0 and no output: a silent pass. Fail loudly instead.
let settled = false;
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.exitCode = fail(EXIT.model, 'internal error: mc stopped before the command finished (nothing was left to wait for); this is a bug in mc', new Error('event loop emptied'));
});

main(process.argv).finally(() => { settled = true; }).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
      if (mode.json && process.exitCode !== EXIT.ok) out(jsonDoc({ schema: SCHEMA.error, exitCode: EXIT.usage, error: e.message }));
      return;
    }
    if (e instanceof UsageError) { process.exitCode = fail(EXIT.usage, e.message, e); return; }
    if (e instanceof ModelError || e instanceof DomainError) { process.exitCode = fail(EXIT.model, `model error: ${e.message}`, e); return; }
    process.exitCode = fail(EXIT.model, `internal error: ${(e as Error)?.message ?? String(e)}${mode.debug ? '' : ' (run with --debug for the stack trace)'}`, e);
  },
);

