// Online endpoints: GET, list, PUT (LRO via Azure-AsyncOperation), PATCH tags/identity and DELETE
// (LRO via Location), listKeys, token, regenerateKeys.
import { randomBytes, randomUUID } from 'crypto';
import { Router, TestbedHttpError, TestbedRequest } from '../server/router';
import { RESOURCE_TYPES, workspaceId } from './arm-ids';
import { badArgument, callerOf, jsonObjectBody, newSystemData, notFound, objectOf, stringMap, touchSystemData } from './arm-responses';
import { MlRuntime } from './ml-runtime';
import { EndpointRecord } from './state';
import { checkTraffic, sameTraffic } from './traffic';

const AUTH_MODES = ['Key', 'AMLToken', 'AADToken'] as const;
const IDENTITY_TYPES = ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned,UserAssigned'];
const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/;
/** AML tokens live an hour; clients refresh after half of that. */
const AML_TOKEN_SECONDS = 3600;

export function endpointBody(rt: MlRuntime, e: EndpointRecord, traffic: Record<string, number> = e.traffic): Record<string, unknown> {
  const base = `${rt.ctx.baseUrl}/inference/${e.name}`;
  return {
    id: `${workspaceId(rt.scope)}/onlineEndpoints/${e.name}`,
    name: e.name,
    type: RESOURCE_TYPES.onlineEndpoint,
    location: e.location,
    tags: e.tags,
    kind: e.kind,
    identity: e.identity,
    systemData: e.systemData,
    properties: {
      ...e.properties,
      authMode: e.authMode,
      scoringUri: `${base}/score`,
      swaggerUri: `${base}/swagger.json`,
      provisioningState: e.provisioningState,
      traffic,
    },
  };
}

export function newEndpointKey(): string {
  return randomBytes(24).toString('base64').replace(/[+/=]/g, 'A');
}

function requireEndpoint(rt: MlRuntime, name: string): EndpointRecord {
  const e = rt.state.endpoint(name);
  if (!e) throw notFound('Online endpoint', name, rt.scope.workspace);
  return e;
}

/** A GET as a lagging replica answers it: the traffic from before the last change, for a few reads. */
function readEndpointBody(rt: MlRuntime, e: EndpointRecord): Record<string, unknown> {
  const stale = e.staleReads;
  if (!stale || stale.remaining <= 0) return endpointBody(rt, e);
  stale.remaining -= 1;
  if (stale.remaining === 0) e.staleReads = undefined;
  return endpointBody(rt, e, stale.traffic);
}

/** Another client's update of the endpoint (another pipeline): Updating for `ms`, then Succeeded. */
export function startOtherUpdate(rt: MlRuntime, e: EndpointRecord, ms: number): void {
  e.busyOnNextWrite = undefined;
  if (e.provisioningState !== 'Succeeded' && e.provisioningState !== 'Failed') return;
  e.provisioningState = 'Updating';
  rt.later(ms, () => {
    if (e.provisioningState === 'Updating') e.provisioningState = 'Succeeded';
  });
}

function beforeWrite(rt: MlRuntime, e: EndpointRecord): void {
  if (e.busyOnNextWrite !== undefined) startOtherUpdate(rt, e, e.busyOnNextWrite);
  requireIdle(e);
}

/** Azure refuses a second operation on an endpoint while one is running. */
function requireIdle(e: EndpointRecord): void {
  if (e.provisioningState === 'Creating' || e.provisioningState === 'Updating' || e.provisioningState === 'Deleting') {
    throw new TestbedHttpError(409, 'Conflict', `Online endpoint '${e.name}' has an operation in progress (provisioningState ${e.provisioningState}); retry when it ends.`);
  }
}

function parseAuthMode(value: unknown): EndpointRecord['authMode'] {
  const mode = AUTH_MODES.find((m) => typeof value === 'string' && m.toLowerCase() === value.toLowerCase());
  if (!mode) throw badArgument(`properties.authMode must be one of ${AUTH_MODES.join(', ')}; got ${JSON.stringify(value)}.`);
  return mode;
}

/**
 * The identity a PUT asks for replaces the one the endpoint had, as ARM PUT semantics say: user-assigned
 * identities the body omits are detached. The system-assigned principal survives while the type keeps it.
 */
function identityOf(rt: MlRuntime, requested: unknown, previous?: Record<string, unknown>): Record<string, unknown> {
  const asked = objectOf(requested);
  const type = typeof asked.type === 'string' ? asked.type : 'SystemAssigned';
  if (!IDENTITY_TYPES.includes(type)) throw badArgument(`identity.type must be one of ${IDENTITY_TYPES.join(', ')}; got '${type}'.`);
  if (type === 'None') return { type };
  const out: Record<string, unknown> = { type };
  if (type.includes('SystemAssigned')) {
    const kept = typeof previous?.type === 'string' && previous.type.includes('SystemAssigned');
    out.principalId = kept ? previous!.principalId : randomUUID();
    out.tenantId = kept ? previous!.tenantId : rt.ctx.settings.tenantId;
  }
  if (type.includes('UserAssigned')) {
    const ids = Object.keys(objectOf(asked.userAssignedIdentities));
    if (ids.length === 0) throw badArgument(`identity.type '${type}' needs at least one entry in identity.userAssignedIdentities.`);
    const before = objectOf(previous?.userAssignedIdentities);
    out.userAssignedIdentities = Object.fromEntries(ids.map((id) => [id, before[id] ?? { principalId: randomUUID(), clientId: randomUUID() }]));
  }
  return out;
}

function sameLocation(a: string, b: string): boolean {
  return a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();
}

function putEndpoint(rt: MlRuntime, req: TestbedRequest) {
  const name = req.params.endpoint;
  const body = jsonObjectBody(req);
  const props = objectOf(body.properties);
  const existing = rt.state.endpoint(name);
  if (!existing && !ENDPOINT_NAME.test(name)) {
    throw badArgument(`Endpoint name '${name}' is invalid: use 3-32 letters, digits and '-', starting with a letter and not ending with '-'.`);
  }
  if (typeof body.location !== 'string' || body.location === '') throw badArgument('location is required.');
  if (!sameLocation(body.location, rt.ctx.settings.location)) {
    throw badArgument(`Online endpoint location '${body.location}' must be the workspace's location '${rt.ctx.settings.location}'.`);
  }
  const authMode = parseAuthMode(props.authMode);
  if (existing) beforeWrite(rt, existing);
  const traffic = checkTraffic(props.traffic, existing ? [...existing.deployments.values()].map((d) => d.name) : []);
  if (!traffic.ok) throw badArgument(traffic.message);

  const caller = callerOf(req);
  const keys = objectOf(props.keys);
  const record: EndpointRecord = existing ?? {
    name,
    location: body.location,
    kind: typeof body.kind === 'string' ? body.kind : 'Managed',
    tags: {},
    identity: {},
    properties: {},
    authMode,
    traffic: {},
    keys: {
      primaryKey: typeof keys.primaryKey === 'string' ? keys.primaryKey : newEndpointKey(),
      secondaryKey: typeof keys.secondaryKey === 'string' ? keys.secondaryKey : newEndpointKey(),
    },
    amlTokens: new Map(),
    provisioningState: 'Creating',
    systemData: newSystemData(caller),
    deployments: new Map(),
  };
  record.tags = stringMap(body.tags, 'tags');
  record.identity = identityOf(rt, body.identity, existing?.identity);
  record.authMode = authMode;
  record.properties = {
    ...(typeof props.description === 'string' ? { description: props.description } : {}),
    properties: stringMap(props.properties, 'properties.properties'),
    publicNetworkAccess: props.publicNetworkAccess === 'Disabled' ? 'Disabled' : 'Enabled',
    ...(typeof props.compute === 'string' ? { compute: props.compute } : {}),
  };
  if (existing) {
    record.provisioningState = 'Updating';
    record.systemData = touchSystemData(existing.systemData, caller);
  }
  rt.state.endpoints.set(name.toLowerCase(), record);

  // Traffic takes effect when the update completes, as on Azure.
  const op = rt.operations.start();
  rt.later(rt.state.timing.endpointProvisioningMs, () => {
    if (rt.state.endpoint(name) !== record) return;
    const before = record.traffic;
    record.traffic = traffic.traffic;
    if (rt.state.endpointReadLag > 0 && !sameTraffic(before, record.traffic)) {
      record.staleReads = { traffic: before, remaining: rt.state.endpointReadLag };
    }
    record.provisioningState = 'Succeeded';
    rt.operations.succeed(op.id);
  });
  return { status: existing ? 200 : 201, headers: rt.asyncOperationHeaders(op), body: endpointBody(rt, record) };
}

export function registerOnlineEndpointRoutes(router: Router, rt: MlRuntime, prefix: string, guard: (req: TestbedRequest) => void): void {
  const base = `${prefix}/onlineEndpoints`;

  router.route('GET', base, (req) => {
    guard(req);
    return { status: 200, body: { value: [...rt.state.endpoints.values()].map((e) => endpointBody(rt, e)) } };
  });

  router.route('GET', `${base}/:endpoint`, (req) => {
    guard(req);
    return { status: 200, body: readEndpointBody(rt, requireEndpoint(rt, req.params.endpoint)) };
  });

  router.route('PUT', `${base}/:endpoint`, (req) => {
    guard(req);
    return putEndpoint(rt, req);
  });

  router.route('PATCH', `${base}/:endpoint`, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    beforeWrite(rt, e);
    const body = jsonObjectBody(req);
    if (body.tags !== undefined) e.tags = stringMap(body.tags, 'tags');
    if (body.identity !== undefined) e.identity = identityOf(rt, body.identity, e.identity);
    e.systemData = touchSystemData(e.systemData, callerOf(req));
    e.provisioningState = 'Updating';
    const op = rt.operations.start();
    rt.later(rt.state.timing.endpointProvisioningMs, () => {
      e.provisioningState = 'Succeeded';
      rt.operations.succeed(op.id, () => endpointBody(rt, e));
    });
    return { status: 202, headers: rt.locationHeaders(op) };
  });

  router.route('DELETE', `${base}/:endpoint`, (req) => {
    guard(req);
    const e = rt.state.endpoint(req.params.endpoint);
    if (!e) return { status: 204 };
    beforeWrite(rt, e);
    e.provisioningState = 'Deleting';
    const op = rt.operations.start();
    rt.later(rt.state.timing.endpointProvisioningMs, async () => {
      rt.state.endpoints.delete(e.name.toLowerCase());
      for (const d of e.deployments.values()) await d.server?.close();
      rt.operations.succeed(op.id);
    });
    return { status: 202, headers: rt.locationHeaders(op) };
  });

  router.route('POST', `${base}/:endpoint/listKeys`, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    if (e.authMode !== 'Key') throw badArgument(`Online endpoint '${e.name}' uses auth mode ${e.authMode}; keys are only available with auth mode Key.`);
    return { status: 200, body: { primaryKey: e.keys.primaryKey, secondaryKey: e.keys.secondaryKey } };
  });

  router.route('POST', `${base}/:endpoint/token`, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    if (e.authMode !== 'AMLToken') throw badArgument(`Online endpoint '${e.name}' uses auth mode ${e.authMode}; tokens are only issued with auth mode AMLToken.`);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = `aml.${randomBytes(32).toString('base64url')}`;
    e.amlTokens.set(accessToken, now + AML_TOKEN_SECONDS);
    return {
      status: 200,
      body: { accessToken, tokenType: 'Bearer', expiryTimeUtc: now + AML_TOKEN_SECONDS, refreshAfterTimeUtc: now + AML_TOKEN_SECONDS / 2 },
    };
  });

  router.route('POST', `${base}/:endpoint/regenerateKeys`, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    if (e.authMode !== 'Key') throw badArgument(`Online endpoint '${e.name}' uses auth mode ${e.authMode}; keys are only available with auth mode Key.`);
    const body = jsonObjectBody(req);
    const keyType = String(body.keyType ?? '').toLowerCase();
    if (keyType !== 'primary' && keyType !== 'secondary') throw badArgument(`keyType must be Primary or Secondary; got ${JSON.stringify(body.keyType)}.`);
    const value = typeof body.keyValue === 'string' && body.keyValue !== '' ? body.keyValue : newEndpointKey();
    if (keyType === 'primary') e.keys.primaryKey = value;
    else e.keys.secondaryKey = value;
    const op = rt.operations.start();
    rt.operations.succeed(op.id);
    return { status: 202, headers: rt.locationHeaders(op) };
  });
}
