/**
 * Source stage: a Triton model repository ready to deploy, plus what the smoke test needs to know
 * about it. A repository in git is validated as is; a Custom Vision source is trained and exported
 * first (that talks to Custom Vision, never to Azure ML).
 */
import * as path from 'path';
import type { ActionConfig } from '../config/action-config';
import type { Log } from '../log';
import { validateModelRepository, type ModelRepository } from '../model-repository/validate-model-repository';
import type { SmokeInputs } from '../plan/deploy-plan';
import { prepareCustomVisionModel } from './custom-vision/prepare-custom-vision-model';

export interface PreparedSource {
  repository: ModelRepository;
  smoke: Omit<SmokeInputs, 'labels'> & { labels?: string[] };
  note: string;
}

export async function prepareSource(config: ActionConfig, log: Log): Promise<PreparedSource> {
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
  const cv = await prepareCustomVisionModel(
    {
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
    },
    log,
  );
  const repository = await validateModelRepository(cv.repositoryDir);
  return {
    repository,
    smoke: { modelName: cv.modelName, labels: cv.labels, family: cv.family, pixelFormat: cv.pixelFormat, pixelRange: cv.pixelRange },
    note: `Custom Vision project ${cv.projectId}, iteration ${cv.iterationId} (${cv.trained ? 'trained now' : 'reused'}; ${cv.uploadedImages} image(s) uploaded, ${cv.skippedImages} already there)`,
  };
}
