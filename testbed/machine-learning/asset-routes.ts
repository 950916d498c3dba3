// Routes for `/models` and `/environments`: containers and versions (GET, PUT, list).
// Neither is a long-running operation in 2022-10-01 (PUT answers 200/201 with the resource).
import { Router, TestbedRequest } from '../server/router';
import { AssetKind, WorkspaceScope } from './arm-ids';
import { callerOf, jsonObjectBody, notFound, objectOf } from './arm-responses';
import { conflictError, containerBody, newContainer, putContainer, putVersion, versionBody } from './asset-versions';
import { AssetContainerRecord } from './state';

export interface AssetKindSpec {
  kind: AssetKind;
  label: string;
  store: Map<string, AssetContainerRecord>;
  /** Validates a version PUT's properties and returns them as Azure stores them (defaults applied). */
  normalizeVersion(name: string, version: string, properties: Record<string, unknown>): Record<string, unknown>;
}

export function registerAssetRoutes(
  router: Router,
  prefix: string,
  scope: WorkspaceScope,
  spec: AssetKindSpec,
  guard: (req: TestbedRequest) => void,
): void {
  const base = `${prefix}/${spec.kind}`;
  const container = (name: string): AssetContainerRecord => {
    const c = spec.store.get(name.toLowerCase());
    if (!c) throw notFound(`${spec.label} container`, name, scope.workspace);
    return c;
  };

  router.route('GET', base, (req) => {
    guard(req);
    const value = [...spec.store.values()].map((c) => containerBody(scope, spec.kind, c));
    return { status: 200, body: { value } };
  });

  router.route('GET', `${base}/:name`, (req) => {
    guard(req);
    return { status: 200, body: containerBody(scope, spec.kind, container(req.params.name)) };
  });

  router.route('PUT', `${base}/:name`, (req) => {
    guard(req);
    const properties = objectOf(jsonObjectBody(req).properties);
    const existing = spec.store.get(req.params.name.toLowerCase());
    const { record, created } = putContainer(existing, req.params.name, properties, callerOf(req));
    spec.store.set(record.name.toLowerCase(), record);
    return { status: created ? 201 : 200, body: containerBody(scope, spec.kind, record) };
  });

  router.route('GET', `${base}/:name/versions`, (req) => {
    guard(req);
    const c = spec.store.get(req.params.name.toLowerCase());
    // listViewType defaults to ActiveOnly (the spec's default): archived versions are left out.
    const view = (req.query.get('listViewType') ?? 'ActiveOnly').toLowerCase();
    let versions = (c ? [...c.versions.values()] : []).filter((v) => {
      const archived = v.properties.isArchived === true;
      return view === 'all' || (view === 'archivedonly' ? archived : !archived);
    });
    // The list is newest first (the SDK's usual `$orderBy=createdtime desc`); `$top` limits it.
    versions.sort((a, b) => (a.systemData.createdAt < b.systemData.createdAt ? 1 : -1));
    const top = Number(req.query.get('$top'));
    if (Number.isInteger(top) && top > 0) versions = versions.slice(0, top);
    return { status: 200, body: { value: versions.map((v) => versionBody(scope, spec.kind, v)) } };
  });

  router.route('GET', `${base}/:name/versions/:version`, (req) => {
    guard(req);
    const v = container(req.params.name).versions.get(req.params.version.toLowerCase());
    if (!v) throw notFound(`${spec.label} version`, `${req.params.name}:${req.params.version}`, scope.workspace);
    return { status: 200, body: versionBody(scope, spec.kind, v) };
  });

  router.route('PUT', `${base}/:name/versions/:version`, (req) => {
    guard(req);
    const { name, version } = req.params;
    const properties = spec.normalizeVersion(name, version, objectOf(jsonObjectBody(req).properties));
    const caller = callerOf(req);
    const c = spec.store.get(name.toLowerCase()) ?? newContainer(name, caller);
    const put = putVersion(c.versions.get(version.toLowerCase()), c.name, version, properties, caller);
    if (put.outcome === 'conflict') throw conflictError(spec.kind, name, version, put.fields);
    c.versions.set(version.toLowerCase(), put.record);
    spec.store.set(c.name.toLowerCase(), c);
    return { status: put.outcome === 'created' ? 201 : 200, body: versionBody(scope, spec.kind, put.record) };
  });
}

