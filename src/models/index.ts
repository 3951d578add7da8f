// The models `mc` ships. Each lives in its own folder; add new ones here.
import type { Model } from '../explorer/model.js';

export const builtinModels: readonly Model[] = [];
