// What Azure ML accepts as a model version or an environment version, and the defaults it fills in.
import { WorkspaceScope, parseDatastoreUri, sameWorkspace } from './arm-ids';
import { stringMap, userError } from './arm-responses';
import { DEFAULT_DATASTORE } from './workspace-routes';

function common(properties: Record<string, unknown>): Record<string, unknown> {
  return {
    description: typeof properties.description === 'string' ? properties.description : null,
    tags: stringMap(properties.tags, 'properties.tags'),
    properties: stringMap(properties.properties, 'properties.properties'),
    isAnonymous: properties.isAnonymous === true,
    isArchived: properties.isArchived === true,
  };
}

/**
 * Model versions: the version is a positive integer, `modelUri` is required and, when it is an
 * `azureml://` datastore URI, must name this workspace's datastore. The path itself is not
 * checked here (Azure checks it when a deployment downloads the model).
 */
export function normalizeModelVersion(scope: WorkspaceScope) {
  return (name: string, version: string, properties: Record<string, unknown>): Record<string, unknown> => {
    if (!/^[1-9]\d*$/.test(version)) {
      throw userError(400, `Model version must be a positive integer; got '${version}' for model ${name}.`);
    }
    const modelUri = properties.modelUri;
    if (typeof modelUri !== 'string' || modelUri === '') {
      throw userError(400, `Model ${name}:${version}: properties.modelUri is required.`);
    }
    if (/^azureml:/i.test(modelUri)) {
      const ref = parseDatastoreUri(modelUri);
      if (!ref) {
        throw userError(
          400,
          `Invalid model URI '${modelUri}': expected azureml://subscriptions/{s}/resourcegroups/{rg}/workspaces/{ws}/datastores/{ds}/paths/{path} or azureml://datastores/{ds}/paths/{path}.`,
        );
      }
      if (ref.scope && !sameWorkspace(ref.scope, scope)) {
        throw userError(400, `Model URI '${modelUri}' points at workspace '${ref.scope.workspace}', not at this workspace '${scope.workspace}'.`);
      }
      if (ref.datastore.toLowerCase() !== DEFAULT_DATASTORE) {
        throw userError(404, `Datastore '${ref.datastore}' in model URI '${modelUri}' was not found in workspace '${scope.workspace}'.`);
      }
    }
    return {
      ...common(properties),
      ...(properties.flavors !== undefined && properties.flavors !== null ? { flavors: properties.flavors } : {}),
      ...(typeof properties.jobName === 'string' ? { jobName: properties.jobName } : {}),
      modelType: typeof properties.modelType === 'string' ? properties.modelType : 'custom_model',
      modelUri,
    };
  };
}

/** Environment versions: an image (or a build context) is required; inference routes need path and port. */
export function normalizeEnvironmentVersion(name: string, version: string, properties: Record<string, unknown>): Record<string, unknown> {
  const image = properties.image;
  const build = properties.build;
  if ((typeof image !== 'string' || image === '') && (build === undefined || build === null)) {
    throw userError(400, `Environment ${name}:${version}: either properties.image or properties.build must be specified.`);
  }
  const inferenceConfig = properties.inferenceConfig as Record<string, unknown> | undefined | null;
  if (inferenceConfig) {
    for (const route of ['livenessRoute', 'readinessRoute', 'scoringRoute']) {
      const r = inferenceConfig[route] as Record<string, unknown> | undefined;
      if (r === undefined || r === null) continue;
      if (typeof r.path !== 'string' || typeof r.port !== 'number' || !Number.isInteger(r.port)) {
        throw userError(400, `Environment ${name}:${version}: inferenceConfig.${route} needs a string path and an integer port.`);
      }
    }
  }
  return {
    ...common(properties),
    environmentType: 'UserCreated',
    ...(typeof image === 'string' ? { image } : {}),
    ...(build ? { build } : {}),
    ...(typeof properties.condaFile === 'string' ? { condaFile: properties.condaFile } : {}),
    ...(inferenceConfig ? { inferenceConfig } : {}),
    osType: properties.osType === 'Windows' ? 'Windows' : 'Linux',
    autoRebuild: properties.autoRebuild === 'OnBaseImageUpdate' ? 'OnBaseImageUpdate' : 'Disabled',
  };
}
