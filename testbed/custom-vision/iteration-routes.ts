/** TrainProject, GetIterations, GetIteration, PublishIteration, UnpublishIteration, GetExports, ExportIteration. */
import { CvRoutes } from './cv-route';
import { buildExportZip } from './export-zip';
import { CustomVisionError, DOMAINS, IterationEntry, iterationStatus, newId, nowIso, ProjectEntry, TrainingState } from './training-state';
import { exportView, iterationView } from './training-views';

/** "Min labeled images per Tag, Object Detection: 15" (Custom Vision limits and quotas). */
export const MIN_IMAGES_PER_TAG = 15;

function trainingProblems(p: ProjectEntry): string[] {
  const problems: string[] = [];
  if (p.tags.size === 0) problems.push('The project has no tags.');
  for (const tag of p.tags.values()) {
    let count = 0;
    for (const img of p.images.values()) if (img.regions.some((r) => r.tagId === tag.id)) count++;
    if (count < MIN_IMAGES_PER_TAG) problems.push(`Tag "${tag.name}" has ${count} images with regions; at least ${MIN_IMAGES_PER_TAG} are needed.`);
  }
  return problems;
}

export function addIterationRoutes(routes: CvRoutes, state: TrainingState, baseUrl: string): void {
  routes.add('POST', '/projects/:projectId/train', 'TrainProject', (req) => {
    const p = state.project(req.params.projectId);
    if (p.iterations.some((i) => iterationStatus(i) === 'Training')) {
      throw new CustomVisionError(400, 'BadRequestTrainingAlreadyInProgress', 'A training is already in progress.');
    }
    const force = req.query.get('forceTrain') === 'true';
    const hasTrained = p.iterations.some((i) => iterationStatus(i) === 'Completed');
    if (!p.changedSinceTraining && hasTrained && !force) {
      throw new CustomVisionError(400, 'BadRequestTrainingNotNeeded', 'Nothing changed since the last training.');
    }
    const problems = trainingProblems(p);
    if (problems.length > 0) throw new CustomVisionError(400, 'BadRequestTrainingValidationFailed', problems.join(' '));
    const trainingType = req.query.get('trainingType') === 'Advanced' ? 'Advanced' : 'Regular';
    const it: IterationEntry = {
      id: newId(), name: `Iteration ${p.iterations.length + 1}`, created: nowIso(), readyAt: Date.now() + state.timing.trainingMs,
      domainId: p.domainId, trainingType, reservedBudgetInHours: Number(req.query.get('reservedBudgetInHours') ?? 0),
      labels: [...p.tags.values()].filter((t) => t.type === 'Regular').map((t) => t.name).sort(), exports: [],
    };
    p.iterations.push(it);
    p.changedSinceTraining = false;
    return { status: 200, body: iterationView(p, it) };
  });

  routes.add('GET', '/projects/:projectId/iterations', 'GetIterations', (req) => {
    const p = state.project(req.params.projectId);
    return { status: 200, body: p.iterations.map((i) => iterationView(p, i)) };
  });
  routes.add('GET', '/projects/:projectId/iterations/:iterationId', 'GetIteration', (req) => {
    const p = state.project(req.params.projectId);
    return { status: 200, body: iterationView(p, state.iteration(p, req.params.iterationId)) };
  });

  routes.add('POST', '/projects/:projectId/iterations/:iterationId/publish', 'PublishIteration', (req) => {
    const p = state.project(req.params.projectId);
    const it = state.iteration(p, req.params.iterationId);
    if (iterationStatus(it) !== 'Completed') throw new CustomVisionError(400, 'BadRequestIterationIsNotTrained', 'The iteration is not trained.');
    const name = req.query.get('publishName') ?? '';
    const target = req.query.get('predictionId') ?? '';
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(name)) throw new CustomVisionError(400, 'BadRequestInvalidPublishName', `Invalid publish name "${name}".`);
    if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+$/i.test(target)) {
      throw new CustomVisionError(400, 'BadRequestInvalidPublishTarget', `Invalid prediction resource id "${target}".`);
    }
    if (it.publishName) throw new CustomVisionError(400, 'BadRequestIterationIsPublished', `The iteration is already published as "${it.publishName}".`);
    const holder = p.iterations.find((i) => i.publishName === name);
    if (holder && req.query.get('overwrite') !== 'true') {
      throw new CustomVisionError(400, 'BadRequestInvalidPublishName', `"${name}" is used by ${holder.name}.`);
    }
    if (holder) holder.publishName = undefined;
    it.publishName = name;
    it.originalPublishResourceId = target;
    return { status: 200, body: true };
  });
  routes.add('DELETE', '/projects/:projectId/iterations/:iterationId/publish', 'UnpublishIteration', (req) => {
    const it = state.iteration(state.project(req.params.projectId), req.params.iterationId);
    if (!it.publishName) throw new CustomVisionError(400, 'BadRequestIterationNotPublished', 'The iteration is not published.');
    it.publishName = undefined;
    return { status: 204 };
  });

  routes.add('GET', '/projects/:projectId/iterations/:iterationId/export', 'GetExports', (req) => {
    const it = state.iteration(state.project(req.params.projectId), req.params.iterationId);
    return { status: 200, body: it.exports.map((e) => exportView(e, baseUrl)) };
  });
  routes.add('POST', '/projects/:projectId/iterations/:iterationId/export', 'ExportIteration', (req) => {
    const p = state.project(req.params.projectId);
    const it = state.iteration(p, req.params.iterationId);
    const status = iterationStatus(it);
    if (status === 'Training') throw new CustomVisionError(400, 'BadRequestExportWhileTraining', 'The iteration is still training.');
    const domain = DOMAINS.find((d) => d.id === it.domainId);
    const platform = req.query.get('platform') ?? '';
    const flavor = req.query.get('flavor');
    if (!domain?.signature) throw new CustomVisionError(400, 'BadRequestExportValidationFailed', `Domain ${domain?.name ?? it.domainId} cannot be exported.`);
    if (platform !== 'ONNX' || flavor) throw new CustomVisionError(400, 'BadRequestNotSupported', `The test bed exports only ONNX without a flavor, not ${platform} ${flavor ?? ''}.`);
    const existing = it.exports.find((e) => e.platform === platform && e.flavor === null);
    if (existing && Date.now() < existing.readyAt) throw new CustomVisionError(400, 'BadRequestExportAlreadyInProgress', 'An export is already in progress.');
    if (existing) it.exports.splice(it.exports.indexOf(existing), 1);
    const entry = { platform, flavor: null, readyAt: Date.now() + state.timing.exportMs, token: newId() };
    it.exports.push(entry);
    return { status: 200, body: exportView(entry, baseUrl) };
  });
}

/** The zip behind a downloadUri; built on first download. */
export function exportZip(state: TrainingState, token: string): Buffer | undefined {
  for (const p of state.projects.values()) {
    for (const it of p.iterations) {
      const e = it.exports.find((x) => x.token === token);
      if (!e || Date.now() < e.readyAt) continue;
      const signature = DOMAINS.find((d) => d.id === it.domainId)?.signature ?? 's1';
      e.zip ??= buildExportZip({ signature, labels: it.labels, iterationId: it.id, exportedAt: new Date(e.readyAt).toISOString(), variant: state.exportVariant });
      return e.zip;
    }
  }
  return undefined;
}
