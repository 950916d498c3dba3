/**
 * Traffic updates. 2022-10-01 has no PATCH for traffic, so the update is a PUT of the whole endpoint:
 * it must carry everything the endpoint has, or Azure drops it (tags, identities, properties). Like
 * az ml / azure-ai-ml (`_strip_zeroes_from_traffic` in azure/ai/ml/operations/_online_endpoint_operations.py)
 * the map sent leaves out 0% entries. Before writing, it waits while another client's operation runs on
 * the endpoint (Azure answers 409 then); after writing, it reads until the new traffic shows, since
 * reads can lag the write that just finished.
 */
import { abortableSleep } from '../transient-retry';
import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { Log } from '../log';
import { readEndpoint, type EndpointState } from './endpoint';
import { waitWithHeartbeat } from './long-wait';

export interface TrafficTiming {
  /** Between reads of an endpoint another operation holds. */
  busyPollMs: number;
  heartbeatMs: number;
  /** Between reads that wait for the new traffic to show, and how many. */
  lagPollMs: number;
  lagReads: number;
  /** PUTs refused with 409 because another operation started between our read and our write. */
  conflictRetries: number;
}

export const TRAFFIC_TIMING: TrafficTiming = { busyPollMs: 5000, heartbeatMs: 30_000, lagPollMs: 2000, lagReads: 15, conflictRetries: 5 };

const BUSY = ['creating', 'updating', 'deleting'];

/** The traffic map az ml sends: without 0% entries. Pure. */
export function withoutZeroShares(traffic: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(traffic).filter(([, pct]) => pct > 0));
}

/** Same routing, a missing entry being 0% and names case-insensitive (as Azure ML treats them). Pure. */
export function sameShares(a: Record<string, number>, b: Record<string, number>): boolean {
  const share = (t: Record<string, number>, n: string) => Object.entries(t).find(([k]) => k.toLowerCase() === n)?.[1] ?? 0;
  const names = new Set([...Object.keys(a), ...Object.keys(b)].map((n) => n.toLowerCase()));
  return [...names].every((n) => share(a, n) === share(b, n));
}

/**
 * The PUT body: the endpoint as read with the new traffic. Read-only fields (principal ids, scoring URI,
 * provisioning state) are dropped by the SDK's serializer. Pure.
 */
export function trafficUpdateBody(current: OnlineEndpoint, traffic: Record<string, number>): OnlineEndpoint {
  const p = current.properties;
  return {
    location: current.location,
    tags: current.tags,
    kind: current.kind,
    identity: current.identity,
    sku: current.sku,
    properties: {
      authMode: p.authMode,
      description: p.description,
      properties: p.properties,
      publicNetworkAccess: p.publicNetworkAccess,
      compute: p.compute,
      traffic: withoutZeroShares(traffic),
    },
  };
}

/**
 * The endpoint's traffic is not what this run set or planned from: another run or person changed it.
 * 2022-10-01 has no ETag / If-Match on online endpoints, so the run compares what it reads right
 * before each traffic PUT (and at its end) with what it expects, and stops instead of overwriting.
 */
export class TrafficChangedElsewhere extends Error {
  override name = 'TrafficChangedElsewhere';
  /** Deployments whose share grew over what this run expected: who took the traffic. */
  readonly takers: string[];
  constructor(
    readonly endpoint: string,
    readonly expected: Record<string, number>,
    readonly found: Record<string, number>,
    when: string,
  ) {
    const share = (t: Record<string, number>, n: string) => Object.entries(t).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? 0;
    const takers = Object.keys(withoutZeroShares(found)).filter((n) => share(found, n) > share(expected, n));
    const list = (t: Record<string, number>) => Object.entries(withoutZeroShares(t)).map(([n, p]) => `${n} ${p}%`).join(', ') || 'no traffic';
    super(
      `The traffic of endpoint '${endpoint}' was changed by another operation ${when}: this run expected ${list(expected)} but the endpoint reads ${list(found)}` +
        `${takers.length ? `; ${takers.map((t) => `'${t}'`).join(', ')} took the traffic` : ''}. Another run or person deploys to the same endpoint: ` +
        `this run leaves the traffic as it is. Serialize deploys to one endpoint (a GitHub Actions concurrency group) and run again.`,
    );
    this.takers = takers;
  }
}


/**
 * Reads the endpoint until no operation runs on it. There is no poller for another client's operation,
 * so this polls; the run's abort signal (timeout-minutes, cancellation) bounds it.
 */
export async function waitForIdleEndpoint(clients: AzureClients, name: string, signal: AbortSignal, log: Log, timing = TRAFFIC_TIMING): Promise<EndpointState> {
  const started = Date.now();
  let beat = started;
  let state = await readEndpoint(clients, name);
  for (let polls = 0; state.exists && BUSY.includes((state.provisioningState ?? '').toLowerCase()); polls++) {
    if (state.provisioningState?.toLowerCase() === 'deleting') throw new Error(`Endpoint '${name}' is being deleted by another operation; traffic cannot be set.`);
    if (polls === 0) log.info(`Endpoint ${name} is ${state.provisioningState} (another operation on it, e.g. another pipeline); waiting for it to finish`);
    if (Date.now() - beat >= timing.heartbeatMs) {
      beat = Date.now();
      log.info(`  ... endpoint ${name}: still ${state.provisioningState}, ${Math.round((beat - started) / 1000)} s`);
    }
    await abortableSleep(timing.busyPollMs, signal);
    state = await readEndpoint(clients, name);
  }
  if (!state.exists) throw new Error(`Endpoint '${name}' no longer exists; traffic cannot be set.`);
  if (Date.now() - started >= timing.busyPollMs) log.info(`Endpoint ${name} is ${state.provisioningState} after ${Math.round((Date.now() - started) / 1000)} s of waiting`);
  return state;
}

/**
 * Sets the endpoint's traffic and returns the endpoint as read once the new traffic shows.
 * `expected`: the traffic this run believes the endpoint has; when the read right before the PUT
 * (again after each 409) differs, TrafficChangedElsewhere is thrown and nothing is written.
 */
export async function setTraffic(
  clients: AzureClients,
  name: string,
  traffic: Record<string, number>,
  signal: AbortSignal,
  log: Log,
  timing = TRAFFIC_TIMING,
  expected?: Record<string, number>,
): Promise<EndpointState> {
  const { resourceGroup, name: ws } = clients.workspace;
  const what = `Setting traffic of endpoint '${name}' to ${JSON.stringify(withoutZeroShares(traffic))}`;
  for (let attempt = 1; ; attempt++) {
    const current = await waitForIdleEndpoint(clients, name, signal, log, timing);
    if (expected && !sameShares(current.traffic, expected)) throw new TrafficChangedElsewhere(name, expected, current.traffic, 'before this run moved it');
    try {
      const poller = await clients.ml.onlineEndpoints.beginCreateOrUpdate(resourceGroup, ws, name, trafficUpdateBody(current.resource!, traffic), { abortSignal: signal });
      await waitWithHeartbeat(`traffic of ${name}`, poller, signal, log, timing.heartbeatMs);
      break;
    } catch (e) {
      const conflict = (e as { statusCode?: number }).statusCode === 409;
      if (!conflict || attempt > timing.conflictRetries || signal.aborted) throw azureError(what, e);
      log.info(`Endpoint ${name} refused the update (409: another operation started on it); waiting and retrying`);
    }
  }
  return readUntilTraffic(clients, name, traffic, signal, log, timing);
}

async function readUntilTraffic(
  clients: AzureClients,
  name: string,
  traffic: Record<string, number>,
  signal: AbortSignal,
  log: Log,
  timing: TrafficTiming,
): Promise<EndpointState> {
  let state = await readEndpoint(clients, name);
  for (let read = 1; !sameShares(state.traffic, traffic); read++) {
    if (read > timing.lagReads) {
      throw new Error(
        `Endpoint '${name}' still reads traffic ${JSON.stringify(state.traffic)} ${read - 1} reads after its update to ${JSON.stringify(withoutZeroShares(traffic))} succeeded.`,
      );
    }
    if (read === 1) log.info(`  ... endpoint ${name} still reads the old traffic ${JSON.stringify(state.traffic)}; reading again`);
    await abortableSleep(timing.lagPollMs, signal);
    state = await readEndpoint(clients, name);
  }
  return state;
}
