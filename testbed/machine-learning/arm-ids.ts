// ARM resource ids and Azure ML asset URIs: building them the way Azure returns them, and parsing
// the forms clients send (ARM ids are case-insensitive in their literal segments).

export const PROVIDER = 'Microsoft.MachineLearningServices';

export const RESOURCE_TYPES = {
  workspace: `${PROVIDER}/workspaces`,
  datastore: `${PROVIDER}/workspaces/datastores`,
  modelContainer: `${PROVIDER}/workspaces/models`,
  modelVersion: `${PROVIDER}/workspaces/models/versions`,
  environmentContainer: `${PROVIDER}/workspaces/environments`,
  environmentVersion: `${PROVIDER}/workspaces/environments/versions`,
  onlineEndpoint: `${PROVIDER}/workspaces/onlineEndpoints`,
  onlineDeployment: `${PROVIDER}/workspaces/onlineEndpoints/deployments`,
} as const;

export interface WorkspaceScope {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

export function workspaceId(scope: WorkspaceScope): string {
  return (
    `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}` +
    `/providers/${PROVIDER}/workspaces/${scope.workspace}`
  );
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{providerAndType}/{name}` for other providers. */
export function resourceId(subscriptionId: string, resourceGroup: string, providerAndType: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${providerAndType}/${name}`;
}

export type AssetKind = 'models' | 'environments';

export function assetContainerId(scope: WorkspaceScope, kind: AssetKind, name: string): string {
  return `${workspaceId(scope)}/${kind}/${name}`;
}

export function assetVersionId(scope: WorkspaceScope, kind: AssetKind, name: string, version: string): string {
  return `${assetContainerId(scope, kind, name)}/versions/${version}`;
}

export interface AssetVersionRef extends WorkspaceScope {
  kind: AssetKind;
  name: string;
  version: string;
}

const ASSET_VERSION_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/(models|environments)\/([^/]+)\/versions\/([^/]+)$/i;

/**
 * Parses a model or environment version ARM id, as an online deployment's `model` / `environmentId`
 * carries it (the CLI also accepts `azureml:` prefixed ids; we strip that prefix the same way).
 */
export function parseAssetVersionId(id: string): AssetVersionRef | undefined {
  const m = ASSET_VERSION_ID.exec(id.replace(/^azureml:/i, ''));
  if (!m) return undefined;
  return {
    subscriptionId: m[1],
    resourceGroup: m[2],
    workspace: m[3],
    kind: m[4].toLowerCase() as AssetKind,
    name: m[5],
    version: m[6],
  };
}

export function sameWorkspace(a: WorkspaceScope, b: WorkspaceScope): boolean {
  return (
    a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase() &&
    a.resourceGroup.toLowerCase() === b.resourceGroup.toLowerCase() &&
    a.workspace.toLowerCase() === b.workspace.toLowerCase()
  );
}

export interface DatastorePathRef {
  /** Absent for the short form `azureml://datastores/{ds}/paths/{path}` (the current workspace). */
  scope?: WorkspaceScope;
  datastore: string;
  /** Path inside the datastore's container, without leading or trailing '/'. */
  path: string;
}

const LONG_DATASTORE_URI =
  /^azureml:\/\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\/(.+)$/i;
const SHORT_DATASTORE_URI = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.+)$/i;

/**
 * Parses a datastore URI in either documented form:
 * `azureml://subscriptions/{s}/resourcegroups/{rg}/workspaces/{ws}/datastores/{ds}/paths/{path}` or
 * `azureml://datastores/{ds}/paths/{path}`. Undefined for anything else.
 */
export function parseDatastoreUri(uri: string): DatastorePathRef | undefined {
  const long = LONG_DATASTORE_URI.exec(uri);
  if (long) {
    return {
      scope: { subscriptionId: long[1], resourceGroup: long[2], workspace: long[3] },
      datastore: long[4],
      path: trimSlashes(long[5]),
    };
  }
  const short = SHORT_DATASTORE_URI.exec(uri);
  if (short) return { datastore: short[1], path: trimSlashes(short[2]) };
  return undefined;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

export interface ImageReference {
  host: string;
  repository: string;
  /** Tag, or `sha256:...` digest when the reference pins one. */
  reference: string;
}

/**
 * Splits `host[:port]/repo[:tag][@digest]`. A first segment counts as a host when it has a '.',
 * a ':' or is 'localhost' (Docker's rule); otherwise the host is Docker Hub.
 */
export function parseImageReference(image: string): ImageReference | undefined {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = withoutDigest.indexOf('/');
  const first = slash >= 0 ? withoutDigest.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  const rest = hasHost ? withoutDigest.slice(slash + 1) : withoutDigest;
  const colon = rest.lastIndexOf(':');
  const repository = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : 'latest';
  if (!repository || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(repository)) return undefined;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return undefined;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return undefined;
  return { host, repository, reference: digest ?? tag };
}
