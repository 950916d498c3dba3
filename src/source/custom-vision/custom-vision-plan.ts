/**
 * The Custom Vision source's dry run: what prepareCustomVisionModel would do, found with reads only
 * (GET domains, projects, tags, images, iterations, exports). Nothing is created, uploaded, trained,
 * published or exported, so a dry run leaves the training resource exactly as it was.
 */
import type { CustomVisionSource } from '../../config/action-config';
import { UserInputError } from '../../errors';
import type { Log } from '../../log';
import type { LabeledDataset } from './dataset/load-dataset';
import { describeImageSync, planImageSync } from './image-sync';
import { onnxExport } from './model-export';
import { findProject } from './project-setup';
import type { Iteration, TrainingClient } from './training-client';
import { getGivenIteration, latestCompleted } from './training-run';

/** What a Custom Vision source takes: the inputs custom-vision-* as the config reads them, and how to run. */
export interface CustomVisionSettings extends Omit<CustomVisionSource, 'kind'> {
  /** Advanced training with this budget; Regular training when unset. */
  trainingBudgetHours?: number;
  workDir: string;
  pollIntervalMs: number;
  timeoutMs: number;
  /** Triton model name; default: the project name, folder-safe. */
  modelName?: string;
  /** Runs after the local checks and before the first Custom Vision call (the caller signs in to Azure here). */
  beforeRemote?: () => Promise<unknown>;
}

export interface CustomVisionPlan {
  project: { name: string; id?: string; domain: string; action: 'create' | 'reuse' };
  /** Undefined when no dataset is uploaded (no dataset, or a given iteration). */
  images?: { upload: number; alreadyThere: number; boxesChanged: number; tagsToCreate: string[] };
  training: { action: 'train' | 'reuse' | 'wait'; reason: string };
  /** The iteration that would be exported, when it exists already. */
  iteration?: { id: string; name: string };
  publish?: string;
  export: string;
}

export async function planCustomVisionModel(
  client: TrainingClient,
  settings: CustomVisionSettings,
  dataset: LabeledDataset | undefined,
  log: Log,
): Promise<CustomVisionPlan> {
  const { project, domain } = await findProject(
    client,
    { projectId: settings.projectId, projectName: settings.projectName, domain: settings.domain, allowCreate: dataset !== undefined },
    log,
  );
  const plan: CustomVisionPlan = {
    project: { name: project?.name ?? settings.projectName!, id: project?.id, domain: domain.name, action: project ? 'reuse' : 'create' },
    training: { action: 'train', reason: '' },
    export: 'export the iteration as ONNX',
  };
  let iteration: Iteration | undefined;
  if (!project) {
    const tags = dataset!.tags;
    plan.images = { upload: dataset!.images.length, alreadyThere: 0, boxesChanged: 0, tagsToCreate: tags };
    plan.training = { action: 'train', reason: 'the project is new' };
  } else if (settings.iterationId) {
    iteration = await getGivenIteration(client, project.id, settings.iterationId);
    plan.training =
      iteration.status === 'Completed'
        ? { action: 'reuse', reason: `custom-vision-iteration-id names iteration "${iteration.name}"` }
        : { action: 'wait', reason: `iteration "${iteration.name}" is ${iteration.status}; the run would wait for it` };
  } else if (dataset) {
    const existingTags = await client.getTags(project.id);
    const tagIds = new Map(existingTags.map((t) => [t.name, t.id]));
    const sync = planImageSync(await client.getAllImages(project.id), dataset, tagIds);
    log.info(`Images: ${describeImageSync(sync, 'would be uploaded')}`);
    plan.images = {
      upload: sync.toUpload.length,
      alreadyThere: sync.kept.length,
      boxesChanged: sync.stale.length,
      tagsToCreate: dataset.tags.filter((t) => !tagIds.has(t)),
    };
    const iterations = await client.getIterations(project.id);
    const running = iterations.find((i) => i.status !== 'Completed' && i.status !== 'Failed');
    const latest = latestCompleted(iterations);
    plan.training = trainingDecision(settings.forceTrain, plan.images, running, latest);
    iteration = plan.training.action === 'reuse' ? latest : plan.training.action === 'wait' ? running : undefined;
  } else {
    iteration = latestCompleted(await client.getIterations(project.id));
    if (!iteration) {
      throw new UserInputError(`Custom Vision project "${project.name}" has no trained iteration and no 'custom-vision-dataset' is given to train one`, {
        input: 'custom-vision-dataset',
      });
    }
    plan.training = { action: 'reuse', reason: `no dataset is given; the latest trained iteration is "${iteration.name}"` };
  }
  if (iteration?.exportable === false) {
    throw new UserInputError(
      `iteration "${iteration.name}" (${iteration.id}) cannot be exported; it was trained with a domain that is not "compact" (retrain after switching the project's domain)`,
      { input: settings.iterationId ? 'custom-vision-iteration-id' : 'custom-vision-domain' },
    );
  }
  if (iteration) plan.iteration = { id: iteration.id, name: iteration.name };
  if (settings.publishName && settings.predictionResourceId && iteration?.publishName !== settings.publishName) plan.publish = settings.publishName;
  if (project && iteration?.status === 'Completed') {
    const current = onnxExport(await client.getExports(project.id, iteration.id));
    if (current?.status === 'Done' && current.downloadUri && !current.newerVersionAvailable) plan.export = 'reuse the finished ONNX export';
    else if (current?.status === 'Exporting') plan.export = 'wait for the ONNX export in progress';
  }
  return plan;
}

/**
 * Custom Vision trains when the images or their boxes changed since the last iteration and answers
 * BadRequestTrainingNotNeeded otherwise; images changed outside this action (e.g. in the portal) are
 * the service's to judge, so "reuse" says what it is based on.
 */
export function trainingDecision(
  forceTrain: boolean,
  images: NonNullable<CustomVisionPlan['images']>,
  running: Iteration | undefined,
  latest: Iteration | undefined,
): CustomVisionPlan['training'] {
  if (running) return { action: 'wait', reason: `iteration "${running.name}" is ${running.status}; the run would wait for it` };
  if (forceTrain) return { action: 'train', reason: 'custom-vision-force-train is true' };
  if (!latest) return { action: 'train', reason: 'the project has no trained iteration' };
  const changes = [images.upload && `${images.upload} new image(s)`, images.boxesChanged && `${images.boxesChanged} image(s) with changed boxes`].filter(Boolean);
  if (changes.length) return { action: 'train', reason: `${changes.join(' and ')} since iteration "${latest.name}"` };
  return { action: 'reuse', reason: `the dataset matches the project's images; Custom Vision would answer TrainingNotNeeded and iteration "${latest.name}" would be reused` };
}

/** The plan as log lines (also the job summary's rows). */
export function describeCustomVisionPlan(p: CustomVisionPlan): { item: string; text: string }[] {
  const rows = [
    {
      item: 'project',
      text: p.project.action === 'create' ? `create "${p.project.name}" (domain "${p.project.domain}")` : `reuse "${p.project.name}" (${p.project.id}, domain "${p.project.domain}")`,
    },
  ];
  if (p.images) {
    const tags = p.images.tagsToCreate.length ? `; create tag(s) ${p.images.tagsToCreate.map((t) => `"${t}"`).join(', ')}` : '';
    const boxes = p.images.boxesChanged ? `, replace the boxes of ${p.images.boxesChanged}` : '';
    rows.push({ item: 'images', text: `upload ${p.images.upload}, ${p.images.alreadyThere} already there${boxes}${tags}` });
  }
  rows.push({ item: 'training', text: `${p.training.action === 'train' ? 'would train a new iteration' : p.training.action === 'wait' ? 'would wait for the training in progress' : `no training; reuse iteration "${p.iteration?.name}" (${p.iteration?.id})`}: ${p.training.reason}` });
  if (p.publish) rows.push({ item: 'publish', text: `publish as "${p.publish}"` });
  rows.push({ item: 'export', text: p.export });
  return rows;
}
