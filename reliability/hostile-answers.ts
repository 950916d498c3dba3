/**
 * Hostile service answers: oversized or malformed JSON, a KServe answer of the wrong shape or a huge
 * size, a Custom Vision export zip bomb, wrong content types, ARM answers missing fields. Each must end
 * in a recovery or a clean error, within 512 MB, without traffic on the deployment that answered badly.
 */
import type { FaultSpec, StatusFault } from '../testbed/server/faults';
import type { Bed } from './bed';
import type { CaseResult } from './case-result';
import { judge } from './fault-matrix';
import { customVisionInputs, taoInputs } from './scenarios';
import { leakedSecrets, logTail, unhealthyWithTraffic } from './verdict';
import { zipBomb } from './zip-bomb';

export interface HostileAnswer {
  name: string;
  base: 'tao' | 'custom-vision';
  method: string;
  pathRegex: string;
  response: () => Promise<StatusFault> | StatusFault;
  /** The deployment that answered is unhealthy: traffic must not reach it unless the run recovered. */
  scoring?: boolean;
}

const WS = '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.MachineLearningServices/workspaces/[^/]+';
const INFER = '^/inference/[^/]+/score/v2/models/[^/]+/infer$';
/** Bigger than the memory bound, small enough to send in a few seconds. */
const HUGE = 600 * 1024 * 1024;
const json = (body: unknown): StatusFault => ({ status: 200, body });
const raw = (rawBody: string, contentType = 'application/json', repeat?: number): StatusFault => ({ status: 200, rawBody, contentType, ...(repeat ? { repeat } : {}) });

export const HOSTILE_ANSWERS: HostileAnswer[] = [
  { name: 'workspace GET: malformed JSON', base: 'tao', method: 'GET', pathRegex: `${WS}$`, response: () => raw('{"properties": {"storageAccount": ') },
  { name: 'workspace GET: HTML with status 200', base: 'tao', method: 'GET', pathRegex: `${WS}$`, response: () => raw('<html><body>502 Bad Gateway</body></html>', 'text/html') },
  { name: 'workspace GET: no properties', base: 'tao', method: 'GET', pathRegex: `${WS}$`, response: () => json({ name: 'mlw', id: 'x' }) },
  { name: 'workspace GET: 600 MB of JSON', base: 'tao', method: 'GET', pathRegex: `${WS}$`, response: () => raw('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,', 'application/json', HUGE / 30) },
  { name: 'datastore listSecrets: no key', base: 'tao', method: 'POST', pathRegex: `${WS}/datastores/[^/]+/listSecrets$`, response: () => json({ secretsType: 'AccountKey' }) },
  { name: 'online endpoint GET: 200 without properties', base: 'tao', method: 'GET', pathRegex: `${WS}/onlineEndpoints/[^/]+$`, response: () => json({ name: 'x' }) },
  { name: 'endpoint listKeys: no keys', base: 'tao', method: 'POST', pathRegex: `${WS}/onlineEndpoints/[^/]+/listKeys$`, response: () => json({}) },
  { name: 'LRO status: status is a number', base: 'tao', method: 'GET', pathRegex: '/mfeOperationsStatus/[^/]+$', response: () => json({ status: 42 }) },
  { name: 'container registry GET: no loginServer', base: 'tao', method: 'GET', pathRegex: '/providers/Microsoft\\.ContainerRegistry/registries/[^/]+$', response: () => json({ name: 'cr', properties: {} }) },
  { name: 'Entra token: no access_token', base: 'tao', method: 'POST', pathRegex: '/oauth2/v2\\.0/token$', response: () => json({ token_type: 'Bearer', expires_in: 3599 }) },
  { name: 'ACR exchange: no refresh_token', base: 'tao', method: 'POST', pathRegex: '^/oauth2/exchange$', response: () => json({}) },
  { name: 'KServe infer: outputs of the wrong shape', base: 'tao', method: 'POST', pathRegex: INFER, scoring: true, response: () => json({ model_name: 'x', outputs: 'nope' }) },
  { name: 'KServe infer: 600 MB answer', base: 'tao', method: 'POST', pathRegex: INFER, scoring: true, response: () => raw('1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,', 'application/json', HUGE / 32) },
  { name: 'KServe model config: wrong types', base: 'tao', method: 'GET', pathRegex: '^/inference/[^/]+/score/v2/models/[^/]+/config$', scoring: true, response: () => json({ name: 5, input: 'none', output: null }) },
  { name: 'KServe model metadata: HTML', base: 'tao', method: 'GET', pathRegex: '^/inference/[^/]+/score/v2/models/[^/]+$', scoring: true, response: () => raw('<html>upstream connect error</html>', 'text/html') },
  { name: 'Custom Vision export: zip bomb (600 MB model.onnx in a small zip)', base: 'custom-vision', method: 'GET', pathRegex: '^/customvision-export/[^/]+/model\\.zip$', response: async () => ({ status: 200, rawBodyBase64: (await zipBomb(HUGE)).toString('base64'), contentType: 'application/zip' }) },
  { name: 'Custom Vision export: not a zip', base: 'custom-vision', method: 'GET', pathRegex: '^/customvision-export/[^/]+/model\\.zip$', response: () => raw('<html>AuthenticationFailed</html>', 'application/zip') },
  { name: 'Custom Vision iteration GET: status null', base: 'custom-vision', method: 'GET', pathRegex: '^/customvision/v3\\.3/training/projects/[^/]+/iterations/[^/]+$', response: () => json({ id: 'x', status: null }) },
];

export async function runHostileAnswer(bed: Bed, c: HostileAnswer, id: string): Promise<CaseResult> {
  await bed.reset();
  const endpoint = `ha-${id}`;
  const inputs = c.base === 'tao' ? taoInputs(endpoint, `ha-${id}`) : customVisionInputs(bed, endpoint, `ha-${id}`);
  const before = await bed.state();
  const spec: FaultSpec = { match: { method: c.method, pathRegex: c.pathRegex }, times: 1, response: await c.response() };
  await bed.fault(spec);
  const run = await bed.run({ inputs, timeoutMinutes: 1 });
  await bed.reset();
  const after = await bed.state();
  const had = new Set(before.endpoints.find((e) => e.name === endpoint)?.deployments.map((d) => d.name) ?? []);
  const fresh = after.endpoints.find((e) => e.name === endpoint)?.deployments.map((d) => d.name).filter((n) => !had.has(n)) ?? [];
  const unhealthy = new Set(c.scoring && run.exitCode !== 0 ? fresh : []);
  const toUnhealthy = unhealthyWithTraffic(after, endpoint, unhealthy);
  const secretsLeaked = leakedSecrets(run, await bed.secrets());
  const v = judge(run, before, after, endpoint, toUnhealthy, secretsLeaked);
  const overMemory = run.peakRssMb > 512;
  const outcome = v.outcome === 'misbehaved' || overMemory ? 'misbehaved' : v.outcome;
  return {
    section: 'hostile-answer', name: c.name, outcome, cause: overMemory ? 'memory over 512 MB' : v.cause, detail: overMemory ? `${run.peakRssMb} MB` : v.detail,
    trafficToUnhealthy: toUnhealthy.length > 0, secretsLeaked, peakRssMb: run.peakRssMb, durationMs: run.durationMs,
    logTail: outcome === 'misbehaved' ? logTail(run) : undefined,
  };
}
