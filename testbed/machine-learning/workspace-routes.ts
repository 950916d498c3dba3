// The seeded workspace (GET) and its default blob datastore `workspaceblobstore` backed by Azurite.
import { createHash } from 'crypto';
import { TestbedContext } from '../context';
import { Router, TestbedRequest } from '../server/router';
import { RESOURCE_TYPES, WorkspaceScope, resourceId, workspaceId } from './arm-ids';
import { SystemData, notFound } from './arm-responses';
import { DatastoreAuth, DEFAULT_DATASTORE_AUTH, datastoreCredentials, refuseSecrets } from './datastore-auth';

export const DEFAULT_DATASTORE = 'workspaceblobstore';

/** A stable GUID-shaped id derived from the workspace's ARM id (Azure assigns a random one once). */
export function workspaceGuid(scope: WorkspaceScope): string {
  const h = createHash('sha256').update(workspaceId(scope).toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface WorkspaceRouteDeps {
  ctx: TestbedContext;
  scope: WorkspaceScope;
  /** Route pattern of the workspace ('/subscriptions/:sub/.../workspaces/:ws'). */
  prefix: string;
  createdAt: SystemData;
  /** Switched by POST /_testbed/ml/datastore-auth; the key-based default when absent. */
  datastoreAuth?: DatastoreAuth;
}

export function workspaceBody(deps: WorkspaceRouteDeps): Record<string, unknown> {
  const { ctx, scope } = deps;
  const s = ctx.settings;
  const guid = workspaceGuid(scope);
  return {
    id: workspaceId(scope),
    name: scope.workspace,
    type: RESOURCE_TYPES.workspace,
    location: s.location,
    tags: {},
    identity: { type: 'SystemAssigned', principalId: guidFrom(guid, 'principal'), tenantId: s.tenantId },
    sku: { name: 'Basic', tier: 'Basic' },
    systemData: deps.createdAt,
    properties: {
      workspaceId: guid,
      friendlyName: scope.workspace,
      description: '',
      storageAccount: resourceId(s.subscriptionId, s.resourceGroup, 'Microsoft.Storage/storageAccounts', s.storageAccount),
      containerRegistry: resourceId(s.registrySubscriptionId, s.registryResourceGroup, 'Microsoft.ContainerRegistry/registries', s.registryName),
      keyVault: resourceId(s.subscriptionId, s.resourceGroup, 'Microsoft.KeyVault/vaults', `kv${guid.slice(0, 12).replace(/-/g, '')}`),
      applicationInsights: resourceId(s.subscriptionId, s.resourceGroup, 'microsoft.insights/components', `${scope.workspace}-ai`),
      discoveryUrl: `https://${s.location}.api.azureml.ms/discovery`,
      mlFlowTrackingUri: `azureml://${s.location}.api.azureml.ms/mlflow/v1.0${workspaceId(scope)}`,
      provisioningState: 'Succeeded',
      hbiWorkspace: false,
      publicNetworkAccess: 'Enabled',
      allowPublicAccessWhenBehindVnet: false,
      v1LegacyMode: false,
      storageHnsEnabled: false,
      tenantId: s.tenantId,
      privateLinkCount: 0,
      serviceProvisionedResourceGroup: `azureml-rg-${scope.workspace}_${guid}`,
    },
  };
}

function guidFrom(seed: string, salt: string): string {
  const h = createHash('sha256').update(`${seed}/${salt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function datastoreBody(deps: WorkspaceRouteDeps): Record<string, unknown> {
  const { ctx, scope } = deps;
  return {
    id: `${workspaceId(scope)}/datastores/${DEFAULT_DATASTORE}`,
    name: DEFAULT_DATASTORE,
    type: RESOURCE_TYPES.datastore,
    systemData: deps.createdAt,
    properties: {
      description: null,
      tags: {},
      properties: {},
      isDefault: true,
      credentials: datastoreCredentials(deps.datastoreAuth ?? DEFAULT_DATASTORE_AUTH),
      datastoreType: 'AzureBlob',
      accountName: ctx.blob.accountName,
      containerName: ctx.blob.container,
      endpoint: 'core.windows.net',
      protocol: 'https',
      serviceDataAccessAuthIdentity: 'None',
    },
  };
}

export function registerWorkspaceRoutes(router: Router, deps: WorkspaceRouteDeps, guard: (req: TestbedRequest) => void): void {
  const { prefix, ctx, scope } = deps;

  router.route('GET', prefix, (req) => {
    guard(req);
    return { status: 200, body: workspaceBody(deps) };
  });

  router.route('GET', `${prefix}/datastores`, (req) => {
    guard(req);
    const isDefault = req.query.get('isDefault');
    // Only one datastore exists and it is the default: `isDefault=false` lists nothing.
    const value = isDefault !== null && isDefault.toLowerCase() === 'false' ? [] : [datastoreBody(deps)];
    return { status: 200, body: { value } };
  });

  router.route('GET', `${prefix}/datastores/:name`, (req) => {
    guard(req);
    requireDefaultDatastore(req.params.name, scope);
    return { status: 200, body: datastoreBody(deps) };
  });

  router.route('POST', `${prefix}/datastores/:name/listSecrets`, (req) => {
    guard(req);
    requireDefaultDatastore(req.params.name, scope);
    refuseSecrets(deps.datastoreAuth ?? DEFAULT_DATASTORE_AUTH, {
      caller: callerOf(req, ctx.settings.clientId),
      datastoreId: `${workspaceId(scope)}/datastores/${DEFAULT_DATASTORE}`,
      datastore: DEFAULT_DATASTORE,
    });
    return { status: 200, body: { secretsType: 'AccountKey', key: ctx.blob.accountKey } };
  });
}

/** appid and oid of the (already verified) bearer token, as ARM names the caller in AuthorizationFailed. */
function callerOf(req: TestbedRequest, fallback: string): { appId: string; objectId: string } {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { appid?: string; oid?: string };
    return { appId: claims.appid ?? fallback, objectId: claims.oid ?? fallback };
  } catch {
    return { appId: fallback, objectId: fallback };
  }
}

function requireDefaultDatastore(name: string, scope: WorkspaceScope): void {
  if (name.toLowerCase() !== DEFAULT_DATASTORE) throw notFound('Datastore', name, scope.workspace);
}
