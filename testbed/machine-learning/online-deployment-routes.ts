// Online deployments: GET, list, PUT (LRO via Azure-AsyncOperation, provisioning in the
// background), PATCH tags/instance count and DELETE (LRO via Location), getLogs.
import * as fs from 'fs';
import { Router, TestbedHttpError, TestbedRequest } from '../server/router';
import { RESOURCE_TYPES, workspaceId } from './arm-ids';
import { badArgument, callerOf, jsonObjectBody, newSystemData, notFound, objectOf, stringMap, touchSystemData } from './arm-responses';
import { tailLines } from './deployment-logs';
import { AssetLookup, parseDeploymentSpec } from './deployment-spec';
import { MlRuntime } from './ml-runtime';
import { provisionDeployment } from './provisioning';
import { DeploymentRecord, EndpointRecord } from './state';
import { withoutDeployment } from './traffic';

export function deploymentBody(rt: MlRuntime, d: DeploymentRecord): Record<string, unknown> {
  return {
    id: `${workspaceId(rt.scope)}/onlineEndpoints/${d.endpointName}/deployments/${d.name}`,
    name: d.name,
    type: RESOURCE_TYPES.onlineDeployment,
    location: d.location,
    tags: d.tags,
    kind: d.kind,
    sku: d.sku,
    ...(d.identity ? { identity: d.identity } : {}),
    systemData: d.systemData,
    properties: { ...d.properties, provisioningState: d.provisioningState },
  };
}

function requireEndpoint(rt: MlRuntime, name: string): EndpointRecord {
  const e = rt.state.endpoint(name);
  if (!e) throw notFound('Online endpoint', name, rt.scope.workspace);
  return e;
}

function requireDeployment(rt: MlRuntime, endpoint: string, name: string): DeploymentRecord {
  const d = requireEndpoint(rt, endpoint).deployments.get(name.toLowerCase());
  if (!d) throw notFound('Online deployment', `${endpoint}/${name}`, rt.scope.workspace);
  return d;
}

function requireIdle(d: DeploymentRecord): void {
  if (d.provisioningState !== 'Succeeded' && d.provisioningState !== 'Failed') {
    throw new TestbedHttpError(409, 'Conflict', `Online deployment '${d.name}' has an operation in progress (provisioningState ${d.provisioningState}); retry when it ends.`);
  }
}

function assetLookup(rt: MlRuntime): AssetLookup {
  const find = (store: Map<string, { versions: Map<string, import('./state').AssetVersionRecord> }>, name: string, version: string) =>
    store.get(name.toLowerCase())?.versions.get(version.toLowerCase());
  return {
    scope: rt.scope,
    modelVersion: (name, version) => find(rt.state.models, name, version),
    environmentVersion: (name, version) => find(rt.state.environments, name, version),
  };
}

function putDeployment(rt: MlRuntime, req: TestbedRequest) {
  const endpoint = requireEndpoint(rt, req.params.endpoint);
  if (endpoint.provisioningState === 'Deleting') {
    throw new TestbedHttpError(409, 'Conflict', `Online endpoint '${endpoint.name}' is being deleted.`);
  }
  const name = req.params.deployment;
  const existing = endpoint.deployments.get(name.toLowerCase());
  if (existing) requireIdle(existing);
  const spec = parseDeploymentSpec(name, jsonObjectBody(req), existing, assetLookup(rt));
  const caller = callerOf(req);
  const record: DeploymentRecord = existing ?? {
    name,
    endpointName: endpoint.name,
    location: spec.location,
    kind: spec.kind,
    tags: {},
    sku: spec.sku,
    properties: {},
    provisioningState: 'Creating',
    systemData: newSystemData(caller),
    generation: 0,
    logs: { storageInitializer: [], inferenceServer: [] },
  };
  record.tags = spec.tags;
  record.sku = spec.sku;
  record.identity = spec.identity;
  record.properties = spec.properties;
  record.generation += 1;
  record.logs = { storageInitializer: [], inferenceServer: [] };
  if (existing) {
    record.provisioningState = 'Updating';
    record.systemData = touchSystemData(existing.systemData, caller);
  }
  endpoint.deployments.set(name.toLowerCase(), record);
  const op = rt.operations.start();
  rt.later(0, () => provisionDeployment(rt, record, spec, op));
  return { status: existing ? 200 : 201, headers: rt.asyncOperationHeaders(op), body: deploymentBody(rt, record) };
}

export function registerOnlineDeploymentRoutes(router: Router, rt: MlRuntime, prefix: string, guard: (req: TestbedRequest) => void): void {
  const base = `${prefix}/onlineEndpoints/:endpoint/deployments`;

  router.route('GET', base, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    return { status: 200, body: { value: [...e.deployments.values()].map((d) => deploymentBody(rt, d)) } };
  });

  router.route('GET', `${base}/:deployment`, (req) => {
    guard(req);
    return { status: 200, body: deploymentBody(rt, requireDeployment(rt, req.params.endpoint, req.params.deployment)) };
  });

  router.route('PUT', `${base}/:deployment`, (req) => {
    guard(req);
    return putDeployment(rt, req);
  });

  router.route('PATCH', `${base}/:deployment`, (req) => {
    guard(req);
    const d = requireDeployment(rt, req.params.endpoint, req.params.deployment);
    requireIdle(d);
    const body = jsonObjectBody(req);
    if (body.tags !== undefined) d.tags = stringMap(body.tags, 'tags');
    const sku = objectOf(body.sku);
    const scaling = sku.capacity !== undefined && sku.capacity !== d.sku.capacity;
    if (sku.capacity !== undefined && (typeof sku.capacity !== 'number' || !Number.isInteger(sku.capacity) || sku.capacity < 1)) {
      throw badArgument(`sku.capacity (instance count) must be an integer of at least 1; got ${JSON.stringify(sku.capacity)}.`);
    }
    d.systemData = touchSystemData(d.systemData, callerOf(req));
    const finalState = d.provisioningState;
    d.provisioningState = scaling ? 'Scaling' : 'Updating';
    const op = rt.operations.start();
    rt.later(rt.state.timing.endpointProvisioningMs, () => {
      if (scaling) d.sku = { ...d.sku, capacity: sku.capacity as number };
      d.provisioningState = finalState;
      rt.operations.succeed(op.id, () => deploymentBody(rt, d));
    });
    return { status: 202, headers: rt.locationHeaders(op) };
  });

  router.route('DELETE', `${base}/:deployment`, (req) => {
    guard(req);
    const e = requireEndpoint(rt, req.params.endpoint);
    const d = e.deployments.get(req.params.deployment.toLowerCase());
    if (!d) return { status: 204 };
    const share = Object.entries(e.traffic).find(([k]) => k.toLowerCase() === d.name.toLowerCase())?.[1] ?? 0;
    if (share > 0) {
      throw badArgument(`Deployment '${d.name}' receives ${share}% of endpoint '${e.name}' traffic; set its traffic to 0 before deleting it.`);
    }
    requireIdle(d);
    d.provisioningState = 'Deleting';
    const op = rt.operations.start();
    rt.later(rt.state.timing.endpointProvisioningMs, async () => {
      e.deployments.delete(d.name.toLowerCase());
      e.traffic = withoutDeployment(e.traffic, d.name);
      await d.server?.close();
      if (d.modelDir) await fs.promises.rm(d.modelDir, { recursive: true, force: true });
      rt.operations.succeed(op.id);
    });
    return { status: 202, headers: rt.locationHeaders(op) };
  });

  router.route('POST', `${base}/:deployment/getLogs`, (req) => {
    guard(req);
    const d = requireDeployment(rt, req.params.endpoint, req.params.deployment);
    const body = req.body.length > 0 ? jsonObjectBody(req) : {};
    const containerType = String(body.containerType ?? 'InferenceServer').toLowerCase();
    if (containerType !== 'inferenceserver' && containerType !== 'storageinitializer') {
      throw badArgument(`containerType must be InferenceServer or StorageInitializer; got ${JSON.stringify(body.containerType)}.`);
    }
    const lines = containerType === 'inferenceserver' ? d.logs.inferenceServer : d.logs.storageInitializer;
    const tail = typeof body.tail === 'number' ? body.tail : undefined;
    return { status: 200, body: { content: tailLines(lines, tail) } };
  });
}
