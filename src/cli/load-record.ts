// Module hooks (registered by load.ts after tsx's, so they run first and see what tsx made) that report
// to the loading thread how each import was resolved and what each file loaded as: the JavaScript tsx
// compiled a TypeScript file to. load-cache.ts keeps that for the next run, which then needs neither
// tsx nor any hooks. Files under node_modules are reported without their source (they are not kept).
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';
import type { MessagePort } from 'node:worker_threads';

/** What the hooks report: one message per resolution and per load, and 'flushed' when asked (all reports before it have arrived). */
export type Record =
  | { type: 'resolve'; parent: string; specifier: string; url: string }
  | { type: 'load'; url: string; format: string | null; source: string | null }
  | { type: 'flushed' };

let port: MessagePort | null = null;

export const initialize: InitializeHook<{ port: MessagePort }> = (data) => {
  port = data.port;
  // Messages on one port arrive in order: 'flushed' tells the loading thread every report so far is in.
  port.on('message', (m) => { if (m === 'flush') port!.postMessage({ type: 'flushed' } satisfies Record); });
  port.unref();
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const r = await nextResolve(specifier, context);
  if (context.parentURL?.startsWith('file:')) port?.postMessage({ type: 'resolve', parent: context.parentURL, specifier, url: r.url } satisfies Record);
  return r;
};

export const load: LoadHook = async (url, context, nextLoad) => {
  const r = await nextLoad(url, context);
  if (url.startsWith('file:')) {
    const keep = !url.includes('/node_modules/') && r.source != null;
    const source = keep ? (typeof r.source === 'string' ? r.source : Buffer.from(r.source as Uint8Array).toString('utf8')) : null;
    port?.postMessage({ type: 'load', url, format: r.format ?? null, source } satisfies Record);
  }
  return r;
};
