// Runs the liveness pass off the main thread, so Ctrl-C and --max-seconds can
// still stop a run while a large graph is analysed (the pass is synchronous).
import { parentPort } from 'node:worker_threads';
import { checkLiveness, type LivenessJob } from './liveness.js';

parentPort!.on('message', (job: LivenessJob) => {
  parentPort!.postMessage(checkLiveness(job.graph, job.props, job.actions, job.stuttering, job.symmetry));
});
