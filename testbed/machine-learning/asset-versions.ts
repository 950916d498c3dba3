// Asset containers and versions (models, environments) as Azure ML keeps them: a version PUT
// creates its container on the way, and a registered version is immutable except for its
// description, tags and isArchived flag.
import { AssetKind, RESOURCE_TYPES, WorkspaceScope, assetContainerId, assetVersionId } from './arm-ids';
import { Caller, newSystemData, stringMap, touchSystemData, userError } from './arm-responses';
import { AssetContainerRecord, AssetVersionRecord } from './state';

export const MUTABLE_VERSION_FIELDS = ['description', 'tags', 'isArchived'];

const LABEL: Record<AssetKind, string> = { models: 'Model', environments: 'Environment' };

export function containerBody(scope: WorkspaceScope, kind: AssetKind, c: AssetContainerRecord): Record<string, unknown> {
  const latest = latestVersion(c);
  const numeric = latest !== undefined && /^\d+$/.test(latest);
  return {
    id: assetContainerId(scope, kind, c.name),
    name: c.name,
    type: kind === 'models' ? RESOURCE_TYPES.modelContainer : RESOURCE_TYPES.environmentContainer,
    systemData: c.systemData,
    properties: {
      description: c.description ?? null,
      tags: c.tags,
      properties: c.properties,
      isArchived: c.isArchived,
      ...(latest !== undefined ? { latestVersion: latest } : {}),
      ...(numeric ? { nextVersion: String(Number(latest) + 1) } : {}),
    },
  };
}

export function versionBody(scope: WorkspaceScope, kind: AssetKind, v: AssetVersionRecord): Record<string, unknown> {
  return {
    id: assetVersionId(scope, kind, v.name, v.version),
    name: v.version,
    type: kind === 'models' ? RESOURCE_TYPES.modelVersion : RESOURCE_TYPES.environmentVersion,
    systemData: v.systemData,
    properties: v.properties,
  };
}

/** The most recently created version (Azure's notion of "latest"). */
export function latestVersion(c: AssetContainerRecord): string | undefined {
  let latest: AssetVersionRecord | undefined;
  for (const v of c.versions.values()) {
    if (!latest || v.systemData.createdAt >= latest.systemData.createdAt) latest = v;
  }
  return latest?.version;
}

export function newContainer(name: string, caller: Caller): AssetContainerRecord {
  return { name, tags: {}, properties: {}, isArchived: false, systemData: newSystemData(caller), versions: new Map() };
}

/** Container PUT: description, tags, properties and isArchived are all updatable on containers. */
export function putContainer(
  existing: AssetContainerRecord | undefined,
  name: string,
  properties: Record<string, unknown>,
  caller: Caller,
): { record: AssetContainerRecord; created: boolean } {
  const record = existing ?? newContainer(name, caller);
  record.description = typeof properties.description === 'string' ? properties.description : undefined;
  record.tags = stringMap(properties.tags, 'properties.tags');
  record.properties = stringMap(properties.properties, 'properties.properties');
  record.isArchived = properties.isArchived === true;
  if (existing) record.systemData = touchSystemData(existing.systemData, caller);
  return { record, created: !existing };
}

export type VersionPut =
  | { outcome: 'created' | 'updated' | 'unchanged'; record: AssetVersionRecord }
  | { outcome: 'conflict'; fields: string[] };

/**
 * Version PUT. `properties` is the full properties object to store (defaults already applied).
 * An existing version accepts only changes to description/tags/isArchived; anything else is a
 * conflict naming the fields that differ.
 */
export function putVersion(
  existing: AssetVersionRecord | undefined,
  name: string,
  version: string,
  properties: Record<string, unknown>,
  caller: Caller,
): VersionPut {
  if (!existing) {
    return { outcome: 'created', record: { name, version, properties, systemData: newSystemData(caller) } };
  }
  const keys = new Set([...Object.keys(existing.properties), ...Object.keys(properties)]);
  const changed = [...keys].filter((k) => !sameJson(existing.properties[k], properties[k]));
  const immutable = changed.filter((k) => !MUTABLE_VERSION_FIELDS.includes(k));
  if (immutable.length > 0) return { outcome: 'conflict', fields: immutable.sort() };
  if (changed.length === 0) return { outcome: 'unchanged', record: existing };
  const record: AssetVersionRecord = {
    ...existing,
    properties: { ...existing.properties, ...pick(properties, MUTABLE_VERSION_FIELDS) },
    systemData: touchSystemData(existing.systemData, caller),
  };
  return { outcome: 'updated', record };
}

export function conflictError(kind: AssetKind, name: string, version: string, fields: string[]): Error {
  return userError(
    409,
    `${LABEL[kind]} ${name} with version ${version} is already registered and cannot be changed ` +
      `(differs in: ${fields.join(', ')}). Only description, tags and isArchived can be updated; register a new version.`,
  );
}

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
}

/** Equality of JSON values regardless of key order; null and absent are the same. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
