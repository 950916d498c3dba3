/** Trains the project (or reuses what is trained) and publishes the iteration when asked to. */
import { UserInputError } from '../../errors';
import type { Log } from '../../log';
import { pollUntil, PollOptions } from './polling';
import { CustomVisionApiError } from './training-http';
import type { Iteration, TrainingClient } from './training-client';

export interface TrainOptions {
  forceTrain: boolean;
  budgetHours?: number;
  poll: Omit<PollOptions, 'what'>;
}

const VALIDATION_FAILURES = new Set([
  'BadRequestTrainingValidationFailed',
  'BadRequestDetectionTrainingValidationFailed',
  'BadRequestDetectionTrainingNotAllowNegativeTag',
  'BadRequestDomainNotSupportedForAdvancedTraining',
  'BadRequestReservedBudgetInHoursNotEnoughForAdvancedTraining',
]);

/** Trains a new iteration, or (training not needed) reuses the latest completed one. */
export async function trainOrReuse(client: TrainingClient, projectId: string, opts: TrainOptions, log: Log): Promise<{ iteration: Iteration; trained: boolean }> {
  let started: Iteration;
  try {
    started = await client.trainProject(projectId, { forceTrain: opts.forceTrain, budgetHours: opts.budgetHours });
  } catch (e) {
    if (!(e instanceof CustomVisionApiError)) throw e;
    if (e.code === 'BadRequestTrainingNotNeeded' || e.code === 'BadRequestTrainingNotNeededButTrainingPipelineUpdated') {
      const latest = latestCompleted(await client.getIterations(projectId));
      if (!latest) throw new Error(`Custom Vision says training is not needed, but project ${projectId} has no completed iteration`);
      log.info(`Nothing changed since iteration "${latest.name}" (${latest.id}); reusing it`);
      return { iteration: latest, trained: false };
    }
    if (e.code === 'BadRequestTrainingAlreadyInProgress') {
      const running = (await client.getIterations(projectId)).find((i) => i.status !== 'Completed' && i.status !== 'Failed');
      if (!running) throw e;
      log.info(`Training already in progress (iteration "${running.name}"); waiting for it`);
      return { iteration: await waitForIteration(client, projectId, running.id, opts.poll), trained: true };
    }
    if (VALIDATION_FAILURES.has(e.code)) {
      throw new UserInputError(`Custom Vision refused to train: ${e.code}: ${e.message}`, { input: 'custom-vision-dataset' });
    }
    throw e;
  }
  log.info(`Training iteration "${started.name}" (${started.id})`);
  return { iteration: await waitForIteration(client, projectId, started.id, opts.poll), trained: true };
}

export async function waitForIteration(client: TrainingClient, projectId: string, iterationId: string, poll: Omit<PollOptions, 'what'>): Promise<Iteration> {
  return pollUntil(
    async () => {
      const it = await client.getIteration(projectId, iterationId);
      if (it.status === 'Completed') return it;
      if (it.status === 'Failed') throw new Error(`Custom Vision training of iteration "${it.name}" (${it.id}) ended with status Failed`);
      return undefined;
    },
    { ...poll, what: `training of iteration ${iterationId}` },
  );
}

/** The iteration custom-vision-iteration-id names, refused when it does not exist or its training failed. */
export async function getGivenIteration(client: TrainingClient, projectId: string, iterationId: string): Promise<Iteration> {
  let it: Iteration;
  try {
    it = await client.getIteration(projectId, iterationId);
  } catch (e) {
    if (e instanceof CustomVisionApiError && (e.status === 404 || e.code.startsWith('NotFound'))) {
      throw new UserInputError(`custom-vision-iteration-id "${iterationId}": no such iteration in project ${projectId} (${e.code})`, {
        input: 'custom-vision-iteration-id',
      });
    }
    throw e;
  }
  if (it.status === 'Failed') {
    throw new UserInputError(`custom-vision-iteration-id "${iterationId}": the iteration's training failed; expected a completed iteration`, {
      input: 'custom-vision-iteration-id',
    });
  }
  return it;
}

export function latestCompleted(iterations: Iteration[]): Iteration | undefined {
  const stamp = (i: Iteration): number => Date.parse(i.trainedAt ?? i.created ?? '') || 0;
  return iterations.filter((i) => i.status === 'Completed').sort((a, b) => stamp(b) - stamp(a))[0];
}

/** Publishes unless this iteration already carries the name. Overwrite moves the name from an older iteration. */
export async function publishIfAsked(
  client: TrainingClient,
  projectId: string,
  iteration: Iteration,
  publishName: string | undefined,
  predictionResourceId: string | undefined,
  log: Log,
): Promise<void> {
  if (!publishName || !predictionResourceId) return;
  if (iteration.publishName === publishName) {
    log.info(`Iteration "${iteration.name}" is already published as "${publishName}"`);
    return;
  }
  try {
    await client.publishIteration(projectId, iteration.id, publishName, predictionResourceId);
    log.info(`Published iteration "${iteration.name}" as "${publishName}"`);
  } catch (e) {
    if (e instanceof CustomVisionApiError && e.code === 'BadRequestIterationIsPublished') {
      log.info(`Iteration "${iteration.name}" is already published`);
      return;
    }
    if (e instanceof CustomVisionApiError && (e.code === 'BadRequestInvalidPublishName' || e.code === 'BadRequestInvalidPublishTarget')) {
      throw new UserInputError(`Custom Vision refused to publish: ${e.code}: ${e.message}`, {
        input: e.code === 'BadRequestInvalidPublishName' ? 'custom-vision-publish-name' : 'custom-vision-prediction-resource-id',
      });
    }
    throw e;
  }
}
