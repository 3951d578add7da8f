// The public API: for model files (`import { defineModel, int, invariant } from 'mc-checker'`), and
// runModel, which checks a model from code as `mc run --json` does.
export * from './explorer/model.js';
export * from './explorer/schema.js';
export * from './invariants/index.js';
export { explore } from './explorer/search.js';
export { goldenFile } from './explorer/golden.js';
export type { SearchOptions, SearchResult, Violation } from './explorer/search.js';
export { runModel } from './run.js';
export type { RunModelOptions, RunResult } from './run.js';
