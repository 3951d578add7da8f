// mc list and mc show: the built-in models, or one model in full (parameters, actions, properties,
// mutants, CI configurations), as text or JSON.
import { builtinModels } from '../models/index.js';
import { compileModel, ModelError, resolveParams, type CompiledModel, type Model } from '../explorer/model.js';
import { loadModel } from './load.js';
import { modelDoc, renderList, renderShow, SCHEMA } from './render.js';
import { jsonDoc, out } from './output.js';

function docFor(m: Model) {
  let c: CompiledModel | null = null;
  try { c = compileModel(m, resolveParams(m, {})); } catch (e) { if (!(e instanceof ModelError)) throw e; }
  return modelDoc(m, c);
}

export function cmdList(o: { json?: boolean }): void {
  const docs = builtinModels.map(docFor);
  out(o.json ? jsonDoc({ schema: SCHEMA.list, models: docs }) : renderList(docs));
}

export async function cmdShow(name: string, o: { json?: boolean }): Promise<void> {
  const d = docFor(await loadModel(name));
  out(o.json ? jsonDoc({ schema: SCHEMA.show, ...d }) : renderShow(d));
}
