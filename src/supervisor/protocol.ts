// What the supervising thread and a search thread send each other. Everything here crosses threads by
// postMessage, so it is plain data (and shared buffers).
import type { Layout } from '../explorer/schema.js';
import type { Progress, SearchOptions, Strategy } from '../explorer/search.js';
import type { MutantOutcome } from '../cli/mutation.js';
import type { RunInfo } from '../cli/render.js';
import type { RunModelOptions } from '../run.js';

/** A search's options without what cannot cross threads (callbacks). */
export type PlainSearchOptions = Partial<Omit<SearchOptions, 'interrupted' | 'onProgress' | 'spawnWorker' | 'supervision' | 'stopOn'>>;

/** mc run's options as they cross threads: the signal stays with the supervisor; progress comes back as messages. */
export type PlainRunOptions = Omit<RunModelOptions, 'signal' | 'onProgress'>;

/** What a search thread is asked to do, with the model it loads by its file or built-in name. */
export type Job =
  | { readonly kind: 'run'; readonly modelRef: string; readonly options: PlainRunOptions }
  | { readonly kind: 'mutate'; readonly modelRef: string; readonly given: Record<string, unknown>; readonly search: PlainSearchOptions; readonly ids: readonly string[]; readonly matrix: boolean; readonly auto: boolean }
  | { readonly kind: 'check'; readonly modelRef: string; readonly search: PlainSearchOptions; readonly updateGolden: boolean };

/** workerData of a search thread. */
export interface ThreadData { readonly job: Job; readonly control: SharedArrayBuffer }

/** A search began (one per run; mc mutate and mc check make several): what the supervisor needs to name what runs in it. */
export interface RunStart {
  readonly info: RunInfo;
  readonly strategy: Strategy;
  /** Action instances by id, goals, liveness properties by index (probe codes name them by index). */
  readonly actions: readonly { readonly name: string; readonly actor: string }[];
  readonly goals: readonly string[];
  readonly liveness: readonly string[];
  /** The state schema (plain data), to decode a probe's slots. */
  readonly schema: Layout['schema'];
  readonly slots: number;
  /** The probe of the search's own expander (parallel workers' come as 'probe' messages). */
  readonly probe: SharedArrayBuffer;
}

/** An error the job threw, as the supervisor rebuilds it (a UsageError is exit 2, a model error exit 3). */
export interface ThreadError { readonly kind: 'usage' | 'model' | 'domain' | 'internal'; readonly message: string; readonly action?: string; readonly field?: string; readonly stack?: string; /** What the model's code threw (its frames and causes), for --debug. */ readonly thrown?: string }

export type ThreadMessage =
  | { readonly type: 'started'; readonly run: RunStart }
  | { readonly type: 'probe'; readonly probe: SharedArrayBuffer }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'row'; readonly row: MutantOutcome }
  | { readonly type: 'done'; readonly value: unknown }
  | { readonly type: 'error'; readonly error: ThreadError };
