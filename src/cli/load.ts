// Finding a model: a built-in name, or a path to a model file (.js/.mjs, or
// .ts/.mts through tsx, since Node 20 cannot load TypeScript by itself).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinModels } from '../models/index.js';
import { isModel, ModelError, UsageError, type Model } from '../explorer/model.js';

export function looksLikePath(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.(m?[jt]s)$/.test(arg);
}

export async function loadModel(arg: string): Promise<Model> {
  if (!looksLikePath(arg)) {
    const m = builtinModels.find((x) => x.name === arg);
    if (m) { m.source = 'builtin'; return m; }
    const names = builtinModels.map((x) => x.name);
    throw new UsageError(`unknown model '${arg}'. Built-in models: ${names.length ? names.join(', ') : '(none)'}; or give a path to a model file (./my-model.ts)`);
  }
  const path = resolve(arg);
  if (!existsSync(path)) throw new UsageError(`model file '${arg}' does not exist`);
  let mod: Record<string, unknown>;
  try {
    if (/\.m?ts$/.test(path)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new ModelError(`model file '${arg}' could not be loaded: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  // tsx may wrap a default export once more.
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod.model];
  const m = candidates.find(isModel);
  if (!m) throw new ModelError(`model file '${arg}' does not export a model: export default defineModel({...}) (or export const model = defineModel({...}))`);
  m.source = path;
  return m;
}
