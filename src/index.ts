// The public API for model files: `import { defineModel, int, invariant } from 'mc-checker'`.
export * from './explorer/model.js';
export * from './explorer/schema.js';
export * from './invariants/index.js';
export { explore } from './explorer/search.js';
export { goldenFile } from './explorer/golden.js';
export type { SearchOptions, SearchResult, Violation } from './explorer/search.js';
