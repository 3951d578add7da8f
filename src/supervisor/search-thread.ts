// A search thread: runs one job (mc run's run, mc mutate's mutants, mc check's checks of one model) away
// from the main thread, which supervises it (supervise.ts). It loads the model by its file or built-in
// name, so the model's setup runs here too, where the supervisor can stop it and count its memory.
// A thread started early (prewarm in supervise.ts) loads the model while the main thread loads it too (for
// its flags), and then waits for its job.
import { parentPort, workerData } from 'node:worker_threads';
import { ModelError, UsageError } from '../explorer/model.js';
import { thrownStack } from '../explorer/trace.js';
import { DomainError } from '../explorer/schema.js';
import { Control, STOP_INTERRUPT, STOP_MEMORY, STOP_TIME } from '../explorer/control.js';
import type { Supervision } from '../explorer/search.js';
import { loadModel } from '../cli/load.js';
import { runInfo } from '../cli/render.js';
import { mutationMatrix, runMutant, type MutantOutcome } from '../cli/mutation.js';
import { checkModel } from '../cli/check.js';
import { assembleRunHere } from '../run.js';
import type { Job, ThreadData, ThreadError, ThreadMessage } from './protocol.js';
import type { Model } from '../explorer/model.js';

const post = (m: ThreadMessage): void => parentPort!.postMessage(m);

const data = workerData as ThreadData | { prewarm: string };
if ('prewarm' in data) {
  const early = { ref: data.prewarm, model: loadModel(data.prewarm) };
  early.model.catch(() => { /* the main thread meets the same error; a job for this model gets it again */ });
  parentPort!.once('message', (d: ThreadData) => start(d, early));
} else start(data, null);

function start({ job, control }: ThreadData, early: { ref: string; model: Promise<Model> } | null): void {
  run(job, new Control(control), early?.ref === job.modelRef ? early.model : loadModel(job.modelRef)).then(
    (value) => post({ type: 'done', value }),
    (e: unknown) => post({ type: 'error', error: asThreadError(e) }),
  );
}

const supervisionOf = (ctl: Control): Supervision => ({
  control: ctl.buffer,
  started(c, probe, strategy) {
    // Each run has budgets of its own: a time or memory stop asked for the run before it is over.
    ctl.clearStop(STOP_TIME); ctl.clearStop(STOP_MEMORY);
    post({
      type: 'started',
      run: {
        info: runInfo(c), strategy, actions: c.actions.map((a) => ({ name: a.name, actor: a.actor })),
        goals: c.goals.map((g) => g.name), liveness: c.liveness.map((l) => l.name),
        schema: c.layout.schema, slots: c.layout.slots, probe,
      },
    });
  },
  probe(probe) { post({ type: 'probe', probe }); },
});

function asThreadError(e: unknown): ThreadError {
  if (e instanceof UsageError) return { kind: 'usage', message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  if (e instanceof ModelError) {
    const thrown = thrownStack(e);
    return { kind: 'model', message: e.message, ...(e.details.action ? { action: e.details.action } : {}), ...(e.details.field ? { field: e.details.field } : {}), ...(e.stack ? { stack: e.stack } : {}), ...(thrown ? { thrown } : {}) };
  }
  if (e instanceof DomainError) return { kind: 'domain', message: e.message, field: e.field, ...(e.stack ? { stack: e.stack } : {}) };
  return { kind: 'internal', message: (e as Error)?.message ?? String(e), ...((e as Error)?.stack ? { stack: (e as Error).stack! } : {}) };
}

async function run(job: Job, ctl: Control, loading: Promise<Model>): Promise<unknown> {
  const model = await loading;
  const supervision = supervisionOf(ctl);
  switch (job.kind) {
    case 'run': {
      const r = await assembleRunHere(model, { ...job.options, onProgress: (progress) => post({ type: 'progress', progress }) }, supervision);
      return { info: runInfo(r.compiled), result: r.result, doc: r.doc };
    }
    case 'mutate': {
      const search = { ...job.search, supervision };
      const row = (r: MutantOutcome): void => post({ type: 'row', row: r });
      if (job.matrix) return await mutationMatrix(model, job.given, search, job.auto, row);
      const outcomes: MutantOutcome[] = [];
      for (const id of job.ids) {
        if (ctl.stop === STOP_INTERRUPT) break;
        const r = await runMutant(model, id, job.given, search);
        outcomes.push(r); row(r);
      }
      return { outcomes, matrix: null };
    }
    case 'check':
      return checkModel(model, { ...job.search, supervision, progressEveryMs: Infinity }, job.updateGolden);
  }
}
