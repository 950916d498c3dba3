/**
 * Custom Vision source stage: dataset -> project -> trained iteration -> ONNX export -> Triton
 * model repository. Follows the guide's VISION_PROJECT_NAME / VISION_PROJECT_ID /
 * VISION_ITERATION_ID semantics: a project is found by id or name (created by name when there is
 * a dataset to train it), and a given iteration is exported as is, without uploading or training.
 */
import * as path from 'path';
import { UserInputError } from '../../errors';
import type { Log } from '../../log';
import { readOnnxMetadata, readOnnxSignature } from '../../model-repository/validate-model-repository';
import { conventionFromMetadata } from '../../smoke-test/run-smoke-test';
import { loadDataset, LabeledDataset } from './dataset/load-dataset';
import { planCustomVisionModel, type CustomVisionPlan, type CustomVisionSettings } from './custom-vision-plan';
import { readExportPackage } from './export-package';
import { syncImages } from './image-sync';
import { downloadOnnxExport } from './model-export';
import type { PollOptions } from './polling';
import { ensureTags, resolveProject } from './project-setup';
import { realClock } from './rate-limiter';
import { CustomVisionApiError, TransportOptions } from './training-http';
import { TrainingClient, type Iteration } from './training-client';
import { getGivenIteration, latestCompleted, publishIfAsked, trainOrReuse, waitForIteration } from './training-run';
import { CustomVisionFamily, familyOfSignature, modelNameFor, writeTritonRepository } from './triton-repository-writer';

export type { CustomVisionSettings };

export interface CustomVisionModel {
  /** A Triton model repository built from the export. */
  repositoryDir: string;
  modelName: string;
  labels: string[];
  family: CustomVisionFamily;
  pixelFormat?: 'Rgb8' | 'Bgr8';
  pixelRange?: '0_255' | '0_1' | '-1_1';
  projectId: string;
  iterationId: string;
  /** False when an existing iteration was reused. */
  trained: boolean;
  uploadedImages: number;
  skippedImages: number;
}

const FAMILY_OF_DOMAIN: Record<string, CustomVisionFamily> = {
  'General (compact) [S1]': 'custom_vision_s1',
  'General (compact)': 'custom_vision_compact',
};

export async function prepareCustomVisionModel(settings: CustomVisionSettings, log: Log, transport: TransportOptions = {}): Promise<CustomVisionModel> {
  return withKeyAdvice(settings.endpoint, async () => {
    const dataset = await loadLocal(settings, log);
    await settings.beforeRemote?.();
    return prepare(settings, dataset, log, transport);
  });
}

/** The dry run: what prepareCustomVisionModel would do, with reads only. */
export async function planCustomVisionSource(settings: CustomVisionSettings, log: Log, transport: TransportOptions = {}): Promise<CustomVisionPlan> {
  return withKeyAdvice(settings.endpoint, async () => {
    const dataset = await loadLocal(settings, log);
    await settings.beforeRemote?.();
    return planCustomVisionModel(new TrainingClient(settings.endpoint, settings.trainingKey, log, transport), settings, dataset, log);
  });
}

async function withKeyAdvice<T>(endpoint: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof CustomVisionApiError && (e.status === 401 || e.status === 403)) {
      throw new UserInputError(
        `Custom Vision at ${endpoint} refused the training key (${e.operation}: HTTP ${e.status} ${e.code}); ` +
          "expected the training resource's key and its endpoint (Keys and Endpoint in the Azure portal)",
        { input: 'custom-vision-training-key' },
      );
    }
    throw e;
  }
}

/** The dataset, checked completely before the first call so a bad file costs no upload. */
async function loadLocal(settings: CustomVisionSettings, log: Log): Promise<LabeledDataset | undefined> {
  if (settings.datasetDir && settings.iterationId) {
    log.warning(`custom-vision-iteration-id is set, so dataset ${settings.datasetDir} is not uploaded and nothing is trained`);
    return undefined;
  }
  return settings.datasetDir ? loadDataset(settings.datasetDir, settings.datasetFormat, log) : undefined;
}

async function prepare(settings: CustomVisionSettings, dataset: LabeledDataset | undefined, log: Log, transport: TransportOptions): Promise<CustomVisionModel> {
  const clock = transport.clock ?? realClock;
  const poll: Omit<PollOptions, 'what'> = { intervalMs: settings.pollIntervalMs, deadline: clock.now() + settings.timeoutMs, clock, log };
  const client = new TrainingClient(settings.endpoint, settings.trainingKey, log, transport);
  const { project, domain } = await resolveProject(
    client,
    { projectId: settings.projectId, projectName: settings.projectName, domain: settings.domain, allowCreate: dataset !== undefined },
    log,
  );

  let iteration: Iteration;
  let trained = false;
  let uploadedImages = 0;
  let skippedImages = 0;
  if (settings.iterationId) {
    iteration = await givenIteration(client, project.id, settings.iterationId, poll);
  } else if (dataset) {
    const tagIds = await ensureTags(client, project.id, dataset.tags, log);
    const sync = await syncImages(client, project.id, dataset, tagIds, log);
    uploadedImages = sync.uploaded;
    skippedImages = sync.skipped;
    ({ iteration, trained } = await trainOrReuse(client, project.id, { forceTrain: settings.forceTrain, budgetHours: settings.trainingBudgetHours, poll }, log));
  } else {
    const latest = latestCompleted(await client.getIterations(project.id));
    if (!latest) {
      throw new UserInputError(`Custom Vision project "${project.name}" has no trained iteration and no 'custom-vision-dataset' is given to train one`, {
        input: 'custom-vision-dataset',
      });
    }
    log.info(`Using the latest trained iteration "${latest.name}" (${latest.id})`);
    iteration = latest;
  }
  if (iteration.exportable === false) {
    throw new UserInputError(
      `iteration "${iteration.name}" (${iteration.id}) cannot be exported; it was trained with a domain that is not "compact" (retrain after switching the project's domain)`,
      { input: settings.iterationId ? 'custom-vision-iteration-id' : 'custom-vision-domain' },
    );
  }
  await publishIfAsked(client, project.id, iteration, settings.publishName, settings.predictionResourceId, log);

  const zip = await downloadOnnxExport(client, project.id, iteration.id, poll, log);
  const pkg = await readExportPackage(zip);
  const signature = readOnnxSignature(pkg.model, 'the Custom Vision export\'s model.onnx');
  const domainFamily = FAMILY_OF_DOMAIN[domain.name];
  const family = familyOfSignature(signature) ?? domainFamily;
  if (!family) {
    throw new Error(`the exported model's outputs (${signature.outputs.map((o) => o.name).join(', ')}) match no known Custom Vision export`);
  }
  if (domainFamily && family !== domainFamily) log.warning(`domain "${domain.name}" but the exported model has the ${family} signature; using the model's`);
  checkLabelCount(family, signature.outputs.find((o) => o.name === 'model_outputs0')?.dims, pkg.labels);

  const modelName = settings.modelName ?? modelNameFor(project.name);
  const written = await writeTritonRepository(path.join(settings.workDir, 'model_repository'), modelName, pkg.model, pkg.labels, signature);
  const metadata = await readOnnxMetadata(path.join(written.modelDir, '1', 'model.onnx'));
  const { pixelFormat, pixelRange } = conventionFromMetadata(metadata);
  log.info(`Model repository ${written.repositoryDir}: ${modelName} (${family}, ${pkg.labels.length} labels: ${pkg.labels.join(', ')})`);
  return {
    repositoryDir: written.repositoryDir,
    modelName,
    labels: pkg.labels,
    family,
    pixelFormat,
    pixelRange,
    projectId: project.id,
    iterationId: iteration.id,
    trained,
    uploadedImages,
    skippedImages,
  };
}

async function givenIteration(client: TrainingClient, projectId: string, iterationId: string, poll: Omit<PollOptions, 'what'>): Promise<Iteration> {
  const it = await getGivenIteration(client, projectId, iterationId);
  return it.status === 'Completed' ? it : waitForIteration(client, projectId, iterationId, poll);
}

/** The compact export's output has 5 anchors x (5 + classes) channels; labels.txt must agree. */
function checkLabelCount(family: CustomVisionFamily, outputDims: number[] | undefined, labels: string[]): void {
  if (family !== 'custom_vision_compact' || !outputDims || outputDims.length !== 4 || outputDims[1] <= 0) return;
  const classes = outputDims[1] / 5 - 5;
  if (classes !== labels.length) {
    throw new Error(`the exported model predicts ${classes} classes but its labels.txt lists ${labels.length}`);
  }
}
