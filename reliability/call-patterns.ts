/**
 * The calls a clean run makes, as fault targets: method + an anchored path pattern with the ids, names
 * and hashes replaced, so the same call of another run (another endpoint, another upload id) matches.
 */
import type { RecordedExchange } from '../testbed/server/request-log';

export interface CallPattern {
  server: RecordedExchange['server'];
  method: string;
  /** Anchored regular expression on the path (no query). */
  pathRegex: string;
  /** Readable form: the path with {} for each replaced segment. */
  label: string;
  /** An LRO status URL (Azure-AsyncOperation / Location polled for status). */
  lroStatus: boolean;
}

/** A segment after one of these is a name or id chosen per run. */
const NAMED = new Set(['onlineendpoints', 'deployments', 'versions', 'models', 'environments', 'mfeoperationsstatus', 'mfeoperationsresults', 'operationstatuses',
  'operationresults', 'projects', 'iterations', 'uploads', 'manifests', 'blobs', 'customvision-export', 'inference', 'datastores', 'subscriptions', 'resourcegroups',
  'workspaces', 'registries', 'locations', 'tags',
  // The model's folder in an upload (Custom Vision names it after the project, which is per run).
  'model_repository']);
const ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|sha256:[0-9a-f]{64}|\d+|c-[0-9a-f]+|registries-.*)$/i;
const ESCAPE = /[.*+?^${}()|[\]\\]/g;

export function callPattern(e: RecordedExchange): CallPattern {
  const pathOnly = e.url.split('?')[0];
  const segments = pathOnly.split('/');
  const out: string[] = [];
  const label: string[] = [];
  // Azure ML asset names (models/X, environments/X) are fixed words in some paths: keep the word, replace what follows.
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const prev = (segments[i - 1] ?? '').toLowerCase();
    const variable = i > 0 && seg !== '' && seg !== 'uploads' && (NAMED.has(prev) || ID.test(seg));
    out.push(variable ? '[^/]+' : seg.replace(ESCAPE, '\\$&'));
    label.push(variable ? '{}' : seg);
  }
  // Registry paths: /v2/<repository, one or more segments>/(blobs|manifests|tags)/...; the repository is per run.
  const registry = /^\/v2\/(.+?)\/(blobs|manifests|tags)(\/.*)?$/.exec(pathOnly);
  // The base image's repository (nvidia/...) is the same in every run: kept, so its calls stay apart.
  if (e.server === 'registry' && registry && !registry[1].startsWith('nvidia/')) {
    const rest = out.slice(out.length - (registry[3] ? registry[3].split('/').length : 1));
    const restLabel = label.slice(label.length - rest.length);
    out.splice(2, out.length - 2, '.+', ...rest);
    label.splice(2, label.length - 2, '{repository}', ...restLabel);
  }
  // The Entra tenant is the first segment of sign-in paths.
  if (/^\/[0-9a-f-]{36}\//.test(pathOnly)) {
    out[1] = '[^/]+';
    label[1] = '{tenant}';
  }
  return {
    server: e.server,
    method: e.method,
    pathRegex: `^${out.join('/')}$`,
    label: `${e.server === 'registry' ? 'acr ' : e.server === 'storage' ? 'storage ' : ''}${e.method} ${label.join('/')}`,
    lroStatus: /\/(mfeOperationsStatus|operationStatuses)\//i.test(pathOnly),
  };
}

/** The distinct calls of a request log, in first-seen order, with how often each was made. */
export function distinctCalls(log: RecordedExchange[]): (CallPattern & { count: number })[] {
  const seen = new Map<string, CallPattern & { count: number }>();
  for (const e of log) {
    if (e.url.startsWith('/_testbed')) continue;
    const p = callPattern(e);
    const key = `${p.server} ${p.method} ${p.pathRegex}`;
    const known = seen.get(key);
    if (known) known.count++;
    else seen.set(key, { ...p, count: 1 });
  }
  return [...seen.values()];
}
