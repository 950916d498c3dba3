/**
 * Plan phase (read-only): local validation is done by the caller; this reads Azure's state with GETs
 * and decides, per stage, create / reuse and why. Nothing here writes to Azure.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AzureClients } from '../azure/clients';
import type { ActionConfig } from '../config/action-config';
import { readLabelsFile } from '../config/labels-file';
import { readComputeQuota } from '../deploy/compute-quota';
import { readDeployment } from '../deploy/deployment';
import { SETTINGS_TAG, deploymentNameFor, settingsFingerprint } from '../deploy/deployment-name';
import { readEndpoint } from '../deploy/endpoint';
import { findModelVersion } from '../deploy/model-version';
import { trafficSteps } from '../deploy/traffic-plan';
import type { WorkspaceInfo } from '../deploy/workspace-info';
import { planImage, type RegistrySession } from '../image/triton-image';
import type { ModelRepository } from '../model-repository/validate-model-repository';
import type { DeployPlan, SmokeInputs } from './deploy-plan';
import { checkQuota, type QuotaCheck } from './quota-check';
import { checkLabelCount, type SmokeTestSettings } from '../smoke-test/run-smoke-test';

export async function makePlan(args: {
  config: ActionConfig;
  clients: AzureClients;
  workspace: WorkspaceInfo;
  repository: ModelRepository;
  smoke: SmokeInputs;
  registry?: RegistrySession;
  workDir: string;
  mask: (s: string) => void;
}): Promise<DeployPlan> {
  const { config, clients, repository } = args;
  const modelName = config.modelName ?? sanitizeAssetName(args.smoke.modelName);
  const imageRepository = config.image.repository ?? `triton-${modelName.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;
  // Read ahead of knowing whether a deployment is created: the answer is ready when it is needed.
  const quotaReading = readComputeQuota(clients, args.workspace.location);
  const [model, endpoint, image] = await Promise.all([
    findModelVersion(clients, modelName, repository.contentHash),
    readEndpoint(clients, config.endpoint.name),
    config.modelType === 'custom_model' && args.registry
      ? planImage(config.image, args.registry, imageRepository, config.deployment.modelMountPath, args.workDir, args.mask)
      : Promise.resolve(undefined),
  ]);
  const settingsForName = { ...config.deployment, name: undefined, modelType: config.modelType };
  const name =
    config.deployment.name ??
    deploymentNameFor({ modelContentHash: repository.contentHash, image: image ? `${image.repository}:${image.tag}` : undefined, settings: settingsForName });
  const state = endpoint.exists ? await readDeployment(clients, endpoint.name, name) : { name, exists: false };
  const explicitName = !!config.deployment.name;
  let action: DeployPlan['deployment']['action'];
  let reason: string;
  if (!state.exists) {
    action = 'create';
    reason = explicitName ? 'no deployment by that name' : 'no deployment has this model, image and settings yet';
  } else if (state.provisioningState !== 'Succeeded') {
    action = 'recreate';
    reason = `the existing deployment is ${state.provisioningState}`;
  } else if (explicitName && (!model.existing || (image && !image.existingDigest))) {
    action = 'recreate';
    reason = 'the named deployment exists but the model or image changed';
  } else if (explicitName && state.resource?.tags?.[SETTINGS_TAG] !== settingsFingerprint(config.deployment, config.modelType)) {
    action = 'recreate';
    reason = 'the named deployment exists but its settings changed (deployment-file or inputs)';
  } else {
    action = 'reuse';
    reason = explicitName ? 'the named deployment exists and the content is unchanged' : 'a deployment with this exact content already exists';
  }
  const quota: QuotaCheck =
    action === 'reuse'
      ? { verdict: 'not-needed', reason: 'the deployment is reused, no new instances' }
      : checkQuota({ instanceType: config.deployment.instanceType, instances: config.deployment.instanceCount, workspace: clients.workspace.name, reading: await quotaReading });
  const alreadyServing = (endpoint.traffic[name] ?? 0) === 100 && action === 'reuse';
  return {
    workspace: args.workspace,
    repository,
    model: { name: modelName, existingVersion: model.existing, nextVersion: model.next },
    image,
    endpoint,
    deployment: { name, state, action, reason },
    quota,
    traffic: { steps: alreadyServing ? [] : trafficSteps(endpoint.traffic, name, config.rollout.trafficSteps), alreadyServing },
    smoke: args.smoke,
  };
}

/** Azure ML asset names: letters, digits, '-', '_' and '.', starting with a letter or digit. */
export function sanitizeAssetName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return s.slice(0, 255) || 'triton-model';
}

/**
 * Labels: the labels-file input, else labels.txt beside the model, else the clustering config's classes.
 * Checked against the class count the model's config.pbtxt implies, before any Azure call.
 */
export function resolveLabels(labelsFile: string | undefined, repo: ModelRepository, modelName: string, clusteringClasses: string[], family: SmokeTestSettings['family'] = 'auto'): string[] {
  const model = repo.models.find((m) => m.name === modelName);
  const beside = path.join(repo.root, modelName, 'labels.txt');
  for (const f of [labelsFile, beside]) {
    if (!f || !fs.existsSync(f)) continue;
    const where = f === labelsFile ? { input: 'labels-file' } : { file: f };
    const shown = f === labelsFile ? `labels-file '${path.basename(f)}'` : f;
    const labels = readLabelsFile(f, shown, where);
    checkLabelCount(model, family, labels, { shown, ...where });
    return labels;
  }
  return clusteringClasses;
}
