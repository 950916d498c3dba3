/**
 * Faults at every call of a clean run: for each distinct call (from the clean run's request log) and
 * each fault kind, one faulted run, judged, then a clean re-run that must converge.
 */
import type { FaultResponse } from '../testbed/server/faults';
import type { Bed, TimedRun } from './bed';
import type { CaseResult } from './case-result';
import type { CallPattern } from './call-patterns';
import { replaceReRunTarget, scenarioRun, type ScenarioName } from './scenarios';
import type { SeededRandom } from './seeded-random';
import { cleanError, converged, halfMadeUnreported, leakedSecrets, logTail, unhealthyWithTraffic } from './verdict';

export type FaultKind = '429' | '500' | '503' | 'drop' | 'delay' | 'lro-failed' | 'lro-canceled' | '409' | '401' | '403' | 'token-expiry';
const CALL_KINDS: FaultKind[] = ['429', '500', '503', 'drop', '409', '401', '403'];
const LRO_KINDS: FaultKind[] = ['lro-failed', 'lro-canceled'];
/** Past timeout-minutes (1) of a faulted run, within the test bed's hold limit. */
export const DELAY_MS = 75_000;

export interface FaultCase {
  scenario: ScenarioName;
  kind: FaultKind;
  call?: CallPattern;
}

function armError(code: string, message: string) {
  return { error: { code, message: `${message} (scripted by the reliability suite)` } };
}

/** Entra's error answer (OAuth 2.0, RFC 6749 5.2), not ARM's: MSAL reads `error` as a string. */
function entraError(error: string, aadsts: string, message: string) {
  return { error, error_description: `${aadsts}: ${message} (scripted by the reliability suite)`, error_codes: [Number(aadsts.slice(6))] };
}

const ENTRA_BODIES: Partial<Record<FaultKind, ReturnType<typeof entraError>>> = {
  '429': entraError('temporarily_unavailable', 'AADSTS90055', 'Too many requests'),
  '500': entraError('server_error', 'AADSTS90033', 'A transient error has occurred'),
  '503': entraError('temporarily_unavailable', 'AADSTS90033', 'A transient error has occurred'),
  '409': entraError('invalid_request', 'AADSTS90014', 'The request is in conflict'),
  '401': entraError('invalid_client', 'AADSTS7000215', 'Invalid client secret provided'),
  '403': entraError('unauthorized_client', 'AADSTS700016', 'The application was not found in the directory'),
};

export function faultResponse(kind: FaultKind, call: CallPattern): FaultResponse {
  // Sign-in paths start with the tenant: Entra's error shape there.
  const entra = call.server === 'main' && call.label.includes('{tenant}') && call.method === 'POST';
  if (entra && ENTRA_BODIES[kind]) return { status: Number(kind), ...(kind === '429' ? { retryAfter: 1 } : {}), body: ENTRA_BODIES[kind] };
  const arm = call.server === 'main';
  switch (kind) {
    case '429': return { status: 429, retryAfter: 1, ...(arm ? { body: armError('TooManyRequests', 'Throttled') } : {}) };
    case '500': return { status: 500 };
    case '503': return { status: 503, ...(arm ? { body: armError('ServiceUnavailable', 'Service unavailable') } : {}) };
    case 'drop': return { drop: true };
    case 'delay': return { delayMs: DELAY_MS };
    case '409': return { status: 409, ...(arm ? { body: armError('Conflict', 'Another operation is in progress') } : {}) };
    case '401': return { status: 401, ...(arm ? { body: armError('InvalidAuthenticationToken', 'The access token is invalid') } : {}) };
    case '403': return { status: 403, ...(arm ? { body: armError('AuthorizationFailed', 'The client does not have authorization') } : {}) };
    case 'lro-failed': return { status: 200, body: { status: 'Failed', error: { code: 'InternalServerError', message: 'The operation failed (scripted by the reliability suite)' } } };
    case 'lro-canceled': return { status: 200, body: { status: 'Canceled' } };
    default: throw new Error(`no call fault for ${kind}`);
  }
}

/**
 * The cases, seeded: every call gets a fault before any call gets a second one, up to `budget`; then
 * `delays` late answers on calls picked at random and one token expiry per scenario.
 */
export function planFaults(calls: Map<ScenarioName, CallPattern[]>, rng: SeededRandom, budget: number, delays: number): FaultCase[] {
  const perCall: FaultCase[][] = [];
  for (const [scenario, patterns] of calls) {
    for (const call of patterns) perCall.push(rng.shuffle([...CALL_KINDS, ...(call.lroStatus ? LRO_KINDS : [])]).map((kind) => ({ scenario, kind, call })));
  }
  const order = rng.shuffle(perCall);
  const picked: FaultCase[] = [];
  for (let round = 0; picked.length < budget && order.some((list) => list.length > round); round++) {
    for (const list of order) if (list[round] && picked.length < budget) picked.push(list[round]);
  }
  const all = [...calls].flatMap(([scenario, patterns]) => patterns.map((call) => ({ scenario, call })));
  for (let i = 0; i < delays && all.length > 0; i++) picked.push({ ...all[rng.int(0, all.length - 1)], kind: 'delay' });
  for (const scenario of calls.keys()) picked.push({ scenario, kind: 'token-expiry' });
  return picked;
}

export function caseName(c: FaultCase): string {
  return `${c.scenario}: ${c.kind}${c.call ? ` at ${c.call.label}` : ''}`;
}

export async function runFaultCase(bed: Bed, c: FaultCase, id: string): Promise<CaseResult> {
  await bed.reset();
  const target = await scenarioRun(bed, c.scenario, id);
  const before = await bed.state();
  await bed.resetLog();
  if (c.kind === 'token-expiry') await bed.control('POST', '/entra/token-lifetime', { accessTokenSeconds: 2, oidcTokenSeconds: 2 });
  else await bed.fault({ match: { method: c.call!.method, pathRegex: c.call!.pathRegex }, times: 1, response: faultResponse(c.kind, c.call!) });
  const run = await bed.run({ inputs: target.inputs, timeoutMinutes: 1 });
  const hit = c.kind === 'token-expiry' || (await bed.requests()).some((r) => r.fault !== undefined);
  await bed.reset();
  const after = await bed.state();
  const base = { section: 'fault' as const, name: caseName(c), peakRssMb: run.peakRssMb, durationMs: run.durationMs };
  const secretsLeaked = leakedSecrets(run, await bed.secrets());
  const toUnhealthy = unhealthyWithTraffic(after, target.endpoint, new Set());
  const verdict = judge(run, before, after, target.endpoint, toUnhealthy, secretsLeaked);
  if (!hit && verdict.outcome !== 'misbehaved') return { ...base, outcome: 'not-hit', trafficToUnhealthy: false, secretsLeaked };
  // A recovered run is already converged (the same check); anything else needs a clean re-run to converge.
  let reRunConverged: boolean | undefined;
  let reRun: TimedRun | undefined;
  if (verdict.outcome !== 'recovered') {
    reRun = await bed.run({ inputs: target.inputs, timeoutMinutes: 2 });
    const ok = reRun.exitCode === 0 && converged(reRun, await bed.state(), target.endpoint).ok;
    reRunConverged = ok;
    secretsLeaked.push(...leakedSecrets(reRun, await bed.secrets()).map((l) => `re-run: ${l}`));
    if (!ok && c.scenario === 're-run') await replaceReRunTarget(bed);
  }
  const misbehaved = verdict.outcome === 'misbehaved' || reRunConverged === false || secretsLeaked.length > 0;
  const cause = verdict.cause ?? (reRunConverged === false ? 'the clean re-run did not converge' : secretsLeaked.length ? 'secret in the open' : undefined);
  return {
    ...base, outcome: misbehaved ? 'misbehaved' : verdict.outcome, cause: misbehaved ? cause : undefined, detail: verdict.detail,
    trafficToUnhealthy: toUnhealthy.length > 0, secretsLeaked, reRunConverged,
    logTail: misbehaved ? logTail(reRunConverged === false && reRun ? reRun : run) : undefined,
  };
}

/** recovered / reported cleanly / misbehaved, with the reason. */
export function judge(run: TimedRun, before: Parameters<typeof halfMadeUnreported>[0], after: Parameters<typeof halfMadeUnreported>[1], endpoint: string, toUnhealthy: string[], leaks: string[]): { outcome: 'recovered' | 'reported-cleanly' | 'misbehaved'; cause?: string; detail?: string } {
  if (run.hung) return { outcome: 'misbehaved', cause: 'hang past timeout-minutes', detail: `${run.durationMs} ms` };
  if (toUnhealthy.length) return { outcome: 'misbehaved', cause: 'traffic on an unhealthy deployment', detail: toUnhealthy.join(', ') };
  if (leaks.length) return { outcome: 'misbehaved', cause: 'secret in the open', detail: leaks.join('; ') };
  if (run.exitCode === 0) {
    const ok = converged(run, after, endpoint);
    return ok.ok ? { outcome: 'recovered' } : { outcome: 'misbehaved', cause: 'exit 0 with wrong state', detail: ok.why };
  }
  const clean = cleanError(run);
  if (!clean.clean) return { outcome: 'misbehaved', cause: clean.why?.startsWith('crash') ? 'crash or JavaScript error in the output' : (clean.why ?? 'unclean error'), detail: clean.why };
  const left = halfMadeUnreported(before, after, endpoint, run);
  if (left.length) return { outcome: 'misbehaved', cause: 'half-made deployment left unreported', detail: left.join(', ') };
  return { outcome: 'reported-cleanly' };
}
