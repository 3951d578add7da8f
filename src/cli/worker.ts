// A search worker: loads the same model with the same parameters and mutant
// as the main thread, then expands the chunks of levels it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { compileModel } from '../explorer/model.js';
import { fingerprintsReady } from '../explorer/fingerprint.js';
import { serveWorker } from '../explorer/crew.js';
import { loadModel } from './load.js';

export interface WorkerData { modelRef: string; params: Record<string, number | string | boolean>; mutant: string | null; debug: boolean; symmetry: boolean; symmetryAudit: 'quick' | 'full' }

const d = workerData as WorkerData;
const model = await loadModel(d.modelRef);
await fingerprintsReady();
serveWorker(compileModel(model, d.params, d.mutant, { symmetry: d.symmetry !== false, symmetryAudit: d.symmetryAudit }), d.debug, parentPort!);
