/**
 * Execute phase. Model upload + registration, image build + environment, and the endpoint run side
 * by side; the deployment starts with 0% traffic, is smoke-tested directly (azureml-model-deployment
 * header), and only then takes traffic, step by step (src/execute/canary-steps.ts). A failure leaves or puts
 * traffic back where it was before the run. Each phase runs in `d.phase` (a log group in main.ts), and
 * each output is handed to `d.outputs` as soon as it is known.
 */
import { endpointIdentityLabel } from '../azure/error-hints';
import type { ActionConfig } from '../config/action-config';
import { datastoreUri } from '../deploy/arm-ids';
import { deploymentBody } from '../deploy/deployment-body';
import { createDeployment, deleteDeployment, deploymentLogs, listDeployments } from '../deploy/deployment';
import { createEndpoint, endpointCredential, readEndpoint, type EndpointState } from '../deploy/endpoint';
import { ensureEnvironmentVersion } from '../deploy/environment-version';
import { uploadModelRepository } from '../deploy/model-upload';
import { describeCredential } from '../deploy/datastore-credential';
import { ensureModelVersion } from '../deploy/model-version';
import { CREATED_BY_TAG, CREATED_BY_VALUE, retirePlan, runningCost } from '../deploy/retire-plan';
import { buildAndPushImage, describeImagePath } from '../image/triton-image';
import type { DeployPlan } from '../plan/deploy-plan';
import type { SmokeTestResult } from '../smoke-test/run-smoke-test';
import { DEFAULT_RETRY } from '../transient-retry';
import { confirmTraffic, rollOutTraffic, TrafficRolloutFailure } from './canary-steps';
import { runSideBySide } from './side-by-side';
import type { ExecuteDeps, KnownOutputs } from './execute-deps';
import { runDeploymentSmokeTest } from './smoke-gate';

export type { ExecuteDeps, KnownOutputs };

export interface ExecuteResult {
  endpoint: EndpointState;
  deploymentName: string;
  modelId: string;
  modelVersion: string;
  image?: string;
  smoke: SmokeTestResult;
}

export async function executePlan(plan: DeployPlan, d: ExecuteDeps): Promise<ExecuteResult> {
  const { config, clients, report, log, signal } = d;
  const phase = d.phase ?? (<T>(_title: string, f: () => Promise<T>) => f());
  const tags = resourceTags(config);
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t = Date.now();
    const r = await f();
    return [r, Date.now() - t];
  };

  // Side by side; the first to fail cancels the others, and each lists what it made as soon as it exists.
  const modelStage = () => timed(async () => {
    const upload = await uploadModelRepository(clients, plan.workspace.datastore, plan.repository, config.cloud.storageBlobEndpoint, d.mask, log);
    const model = await ensureModelVersion(clients, {
      name: plan.model.name,
      contentHash: plan.repository.contentHash,
      modelUri: datastoreUri(clients.workspace, plan.workspace.datastore.name, upload.datastorePath),
      modelType: config.modelType,
      tags,
      description: `Triton model repository (${plan.repository.models.map((m) => m.name).join(', ')})`,
    });
    if (model.created) report.created.push(`model ${model.name}:${model.version} (${model.id})`);
    return { upload, model };
  });
  const imageStage = (stageSignal: AbortSignal) => timed(async () => {
    if (!plan.image || !d.registry) return undefined;
    const image = await buildAndPushImage(plan.image, d.registry, log, d.mask, { ...DEFAULT_RETRY, signal: stageSignal });
    if (image.built) report.created.push(`image ${image.reference}`);
    stageSignal.throwIfAborted();
    const envName = config.deployment.environmentName ?? `${plan.image.repository}-env`;
    const env = await ensureEnvironmentVersion(clients, { name: envName, image: image.reference, routes: config.deployment.routes, tags });
    if (env.created) report.created.push(`environment ${env.name}:${env.version} (${env.id})`);
    return { image, env };
  });
  const endpointStage = (stageSignal: AbortSignal) => timed(async () =>
    plan.endpoint.exists
      ? plan.endpoint
      : createEndpoint(clients, config.endpoint, plan.workspace.location, tags, stageSignal, log, () => report.created.push(`endpoint ${config.endpoint.name}`)),
  );
  const [[m, modelMs], [img, imageMs], [endpoint, endpointMs]] = await phase(plan.image ? 'Upload, image and endpoint' : 'Upload and endpoint', () =>
    runSideBySide(
      signal,
      [{ name: 'model', run: modelStage }, { name: 'image', run: imageStage }, { name: 'endpoint', run: endpointStage }],
      (stage, reason) => report.record(stage.name, 'skip', (reason as Error)?.message ?? 'cancelled'),
    ),
  );
  d.outputs?.({ endpoint, modelId: m.model.id, modelVersion: m.model.version, image: img?.image.reference });

  const up = m.upload;
  const signedWith = `with ${describeCredential(up.credential)}`;
  report.record('upload', up.uploadedFiles ? 'create' : 'skip', up.uploadedFiles ? `${up.uploadedFiles} files, ${up.uploadedBytes} bytes to ${up.datastorePath} ${signedWith}` : `already in ${up.datastorePath} (checked ${signedWith})`, modelMs);
  report.record('model', m.model.created ? 'create' : 'reuse', `${m.model.name}:${m.model.version}`);
  if (img) {
    report.record('image', img.image.built ? 'create' : 'reuse', `${img.image.reference}${describeImagePath(img.image)}`, imageMs);
    report.record('environment', img.env.created ? 'create' : 'reuse', `${img.env.name}:${img.env.version}`);
  }
  report.record('endpoint', plan.endpoint.exists ? 'reuse' : 'create', endpoint.name, endpointMs);

  const name = plan.deployment.name;
  d.outputs?.({ deploymentName: name });
  await phase('Deployment', async () => {
    if (plan.deployment.action !== 'reuse') {
      const started = Date.now();
      if (plan.deployment.action === 'recreate' && plan.deployment.state.exists && (endpoint.traffic[name] ?? 0) === 0) {
        log.info(`Deleting ${name} first: ${plan.deployment.reason}`);
        await deleteDeployment(clients, endpoint.name, name, signal, log);
      }
      log.info(`Creating deployment ${name} (${config.deployment.instanceType} x${config.deployment.instanceCount}) with 0% traffic`);
      const body = deploymentBody({ settings: config.deployment, location: plan.workspace.location, modelId: m.model.id, modelType: config.modelType, environmentId: img?.env.id, tags });
      // Listed before the wait: a cancelled or failed run must still report the deployment it asked for.
      report.created.push(`deployment ${endpoint.name}/${name}`);
      try {
        const hints = { endpointIdentity: endpointIdentityLabel(endpoint.resource?.identity), registry: plan.image?.loginServer };
        await createDeployment(clients, endpoint.name, name, body, signal, log, hints);
      } catch (e) {
        report.record('deployment', 'fail', `${name}: provisioning failed`, Date.now() - started);
        await afterFailure(d, endpoint.name, name, 'provisioning');
        throw e;
      }
      report.record('deployment', plan.deployment.action === 'recreate' ? 'update' : 'create', `${name} (${config.deployment.instanceType} x${config.deployment.instanceCount})`, Date.now() - started);
    } else {
      report.record('deployment', 'reuse', `${name}: ${plan.deployment.reason}`);
    }
  });

  const { live, key, smoke } = await phase('Smoke test', async () => {
    const live = await readEndpoint(clients, endpoint.name);
    const key = await endpointCredential(clients, live, d.mask);
    // A smoke test that throws (an HTTP 500, a malformed answer, an image it cannot send) fails like one that finds nothing.
    const smokeServing = plan.deployment.action === 'reuse' || (live.traffic[name] ?? 0) > 0;
    const smoke = await runDeploymentSmokeTest(live, name, key, plan, d).catch(async (e: unknown) => {
      if (signal.aborted) throw e;
      const why = e instanceof Error ? e.message : String(e);
      report.record('smoke test', 'fail', `${name}: ${why.split('\n')[0]}`);
      await afterFailure(d, live.name, name, 'smoke test', smokeServing);
      throw new SmokeTestFailure(`The smoke test of ${name} failed: ${why}`, { cause: e });
    });
    d.outputs?.({ smoke });
    if (!smoke.passed) {
      await afterFailure(d, live.name, name, 'smoke test', smokeServing);
      throw new SmokeTestFailure(`The smoke test of ${name} failed: ${smoke.failure ?? 'it found no detections'}`);
    }
    return { live, key, smoke };
  });

  const current = await phase('Traffic', async () => {
    const current = await rollOutTraffic(plan, live, key, d).catch(async (e: unknown) => {
      if (e instanceof TrafficRolloutFailure) await afterRollbackFailure(d, plan, live.name, name, e);
      throw e;
    });
    if (plan.traffic.steps.length === 0) report.record('traffic', 'skip', `${name} already serves 100%`);
    await retirePrevious(d, plan, current, name);
    await confirmTraffic(current, d);
    return current;
  });
  return { endpoint: current, deploymentName: name, modelId: m.model.id, modelVersion: m.model.version, image: img?.image.reference, smoke };
}

/** Deletes idle deployments per previous-deployments (only after a traffic change) and reports what keeps running. */
async function retirePrevious(d: ExecuteDeps, plan: DeployPlan, endpoint: EndpointState, name: string): Promise<void> {
  const policy = d.config.rollout.previousDeployments;
  const decisions = retirePlan({ policy, current: name, before: plan.endpoint.traffic, after: endpoint.traffic, deployments: await listDeployments(d.clients, endpoint.name) });
  // A run that moved no traffic retires nothing: the rollback target stays the one the last change left.
  const changed = plan.traffic.steps.length > 0;
  for (const r of decisions) {
    if (r.action === 'serve') continue;
    if (r.action === 'delete' && changed) {
      d.log.info(`Deleting ${r.name} (${r.instances}): ${r.reason}`);
      await deleteDeployment(d.clients, endpoint.name, r.name, d.signal, d.log);
      d.report.record('previous', 'delete', `${r.name} (${r.instances}): ${r.reason}`);
    } else {
      d.report.record('previous', 'keep', `${r.name} (${r.instances}): ${r.action === 'delete' ? 'idle (0%), no traffic change in this run' : r.reason}`);
    }
  }
  const staying = decisions.filter((r) => r.action !== 'delete' || !changed);
  d.report.running = staying.map((r) => ({ name: r.name, traffic: r.traffic, instances: r.instances }));
  d.log.info(`${endpoint.name}: ${runningCost(staying)}`);
}

export class SmokeTestFailure extends Error {
  override name = 'SmokeTestFailure';
}

/**
 * After a failed canary step: a deployment that traffic left (again) is kept or deleted per on-failure; one
 * that may still serve, that served before the run, or whose run was cancelled is kept, and the report says why.
 */
async function afterRollbackFailure(d: ExecuteDeps, plan: DeployPlan, endpoint: string, name: string, e: TrafficRolloutFailure): Promise<void> {
  const servedBefore = Object.entries(plan.endpoint.traffic).some(([k, pct]) => k.toLowerCase() === name.toLowerCase() && pct > 0);
  if (e.cancelled || !e.restored) {
    d.report.record('deployment', 'keep', `${name} kept (${e.cancelled ? 'run cancelled' : 'traffic could not be moved back; it may still serve'})`);
    return;
  }
  await afterFailure(d, endpoint, name, e.failed, servedBefore, 'traffic was moved back to where it was before the run');
}

/** Prints the deployment's logs and deletes or keeps it, per on-failure; never touches traffic. */
async function afterFailure(d: ExecuteDeps, endpoint: string, name: string, what: string, serving = false, traffic = 'traffic stays where it was'): Promise<void> {
  d.log.info(`${what} of ${name} failed; ${traffic}. Deployment logs:`);
  for (const l of await deploymentLogs(d.clients, endpoint, name)) {
    d.log.info(`----- ${l.container} -----\n${l.content}`);
  }
  if (serving || d.config.rollout.onFailure === 'keep') {
    d.report.record('deployment', 'keep', `${name} kept${serving ? ' (it serves traffic)' : " for debugging (on-failure: keep)"}`);
    return;
  }
  await deleteDeployment(d.clients, endpoint, name, new AbortController().signal, d.log).catch((e) => d.log.warning(`could not delete ${name}: ${(e as Error).message}`));
  d.report.record('deployment', 'delete', `${name} deleted after failed ${what} (on-failure: delete)`);
  d.log.info(`Deleted ${name} (on-failure: delete)`);
}

function resourceTags(config: ActionConfig): Record<string, string> {
  const t: Record<string, string> = { [CREATED_BY_TAG]: CREATED_BY_VALUE };
  if (config.run.repository) t['github-repository'] = config.run.repository;
  if (config.run.sha) t['github-sha'] = config.run.sha;
  if (config.run.runUrl) t['github-run'] = config.run.runUrl;
  return t;
}
