/**
 * Source stage: a Triton model repository ready to deploy, plus what the smoke test needs to know
 * about it. A repository in git is validated as is; a Custom Vision source is trained and exported
 * first (that talks to Custom Vision, never to Azure ML).
 */
import * as path from 'path';
import type { ActionConfig } from '../config/action-config';
import type { Log } from '../log';
import { validateModelRepository, type ModelRepository } from '../model-repository/validate-model-repository';
import type { SmokeInputs } from '../smoke-test/run-smoke-test';
import { describeCustomVisionPlan, type CustomVisionPlan } from './custom-vision/custom-vision-plan';
import { planCustomVisionSource, prepareCustomVisionModel, type CustomVisionSettings } from './custom-vision/prepare-custom-vision-model';

export interface PreparedSource {
  repository: ModelRepository;
  smoke: Omit<SmokeInputs, 'labels'> & { labels?: string[] };
  note: string;
}

/**
 * `beforeRemote` runs after the local checks and before the first call to a model service (the caller
 * signs in to Azure there, so bad Azure credentials fail before any training).
 */
export async function prepareSource(config: ActionConfig, log: Log, beforeRemote?: () => Promise<unknown>): Promise<PreparedSource> {
  const src = config.source;
  if (src.kind === 'triton-repository') {
    const repository = await validateModelRepository(src.path);
    for (const w of repository.warnings) log.warning(w);
    for (const m of repository.models.filter((m) => m.autoCompleted)) {
      log.info(`${m.name}: ${m.configFile ? '' : 'no config.pbtxt; '}Triton auto-completes ${m.autoCompleted!.join(', ')} from ${m.modelFiles[m.modelFiles.length - 1]} (max_batch_size ${m.maxBatchSize}; inputs ${m.inputs.map((t) => `${t.name} [${t.dims.join(', ')}]`).join(', ')})`);
    }
    const first = repository.models[0];
    return { repository, smoke: { modelName: first.name }, note: `${path.relative(config.run.workspaceDir, src.path) || '.'}: ${repository.models.map((m) => m.name).join(', ')}` };
  }
  const cv = await prepareCustomVisionModel(customVisionSettings(config, beforeRemote), log);
  const repository = await validateModelRepository(cv.repositoryDir);
  return {
    repository,
    smoke: { modelName: cv.modelName, labels: cv.labels, family: cv.family, pixelFormat: cv.pixelFormat, pixelRange: cv.pixelRange },
    note: `Custom Vision project ${cv.projectId}, iteration ${cv.iterationId} (${cv.trained ? 'trained now' : 'reused'}; ${cv.uploadedImages} image(s) uploaded, ${cv.skippedImages} already there)`,
  };
}

/** A dry run of a source that would change a model service (Custom Vision): what it would do, found with reads only. */
export interface SourcePlan {
  customVision: CustomVisionPlan;
  rows: { item: string; text: string }[];
}

/** Undefined for a source that needs no service (a repository in git is only read). */
export async function planSource(config: ActionConfig, log: Log, beforeRemote?: () => Promise<unknown>): Promise<SourcePlan | undefined> {
  if (config.source.kind !== 'custom-vision') return undefined;
  const customVision = await planCustomVisionSource(customVisionSettings(config, beforeRemote), log);
  return { customVision, rows: describeCustomVisionPlan(customVision) };
}

function customVisionSettings(config: ActionConfig, beforeRemote?: () => Promise<unknown>): CustomVisionSettings {
  const src = config.source;
  if (src.kind !== 'custom-vision') throw new Error('not a Custom Vision source');
  return {
    endpoint: src.endpoint,
    trainingKey: src.trainingKey,
    projectName: src.projectName,
    projectId: src.projectId,
    iterationId: src.iterationId,
    domain: src.domain,
    datasetDir: src.datasetDir ? path.resolve(config.run.workspaceDir, src.datasetDir) : undefined,
    datasetFormat: src.datasetFormat,
    forceTrain: src.forceTrain,
    publishName: src.publishName,
    predictionResourceId: src.predictionResourceId,
    workDir: path.join(config.run.outputDir, 'custom-vision'),
    pollIntervalMs: 2000,
    timeoutMs: config.rollout.timeoutMs,
    beforeRemote,
  };
}
