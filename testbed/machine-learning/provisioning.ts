// What happens after a deployment PUT returns: scripted failure or retired SKU, image pull,
// storage initializer (model download from Azurite), inference server start (Triton loading the
// repository). The deployment ends Succeeded, or Failed with an Azure-style error code.
import * as fs from 'fs';
import * as path from 'path';
import { parseDatastoreUri } from './arm-ids';
import { downloadLines, downloadStartLines, storageLine, tritonStartupLines } from './deployment-logs';
import { DeploymentSpec } from './deployment-spec';
import { checkImageExists } from './image-check';
import { Operation, OperationError } from './lro';
import { MlRuntime } from './ml-runtime';
import { quotaShortfall } from './quota';
import { DeploymentRecord } from './state';
import { blobServiceClient, downloadModelFiles } from './storage-initializer';
import { InferenceServer, ModelLoadStatus, modelStatuses, serverReady } from './triton-runtime';

class ProvisioningFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** Where the model lands: Azure mounts it at model_mount_path or /var/azureml-app/azureml-models/{name}/{version}. */
export function mountPathOf(d: DeploymentRecord, spec: DeploymentSpec): string {
  const mount = d.properties.modelMountPath;
  if (typeof mount === 'string' && mount !== '') return mount;
  return spec.model ? `/var/azureml-app/azureml-models/${spec.model.name}/${spec.model.version}` : '/var/azureml-app/azureml-models';
}

async function pullImage(rt: MlRuntime, spec: DeploymentSpec): Promise<void> {
  const image = spec.environment?.properties.image;
  if (!spec.environment) return; // no-code Triton: Azure's curated image
  if (typeof image !== 'string') {
    throw new ProvisioningFailure('BadArgument', 'The environment has no image; the test bed does not build environments from a build context.');
  }
  const s = rt.ctx.settings;
  const check = await checkImageExists(image, {
    hosts: [rt.ctx.registry.loginServer, s.registryLoginServer, `${s.registryName}.azurecr.io`],
    backendUrl: rt.ctx.registry.backendUrl,
  });
  if (!check.ok) throw new ProvisioningFailure('ImageNotFound', check.message);
}

async function initializeStorage(rt: MlRuntime, d: DeploymentRecord, spec: DeploymentSpec, dir: string): Promise<void> {
  if (!spec.model) throw new ProvisioningFailure('ResourceNotReady', 'The deployment has no model, so the inference server has no model repository to load.');
  const modelUri = String(spec.model.properties.modelUri);
  const ref = parseDatastoreUri(modelUri);
  if (!ref) {
    d.logs.storageInitializer.push(storageLine(`Unsupported model URI ${modelUri}`, 'ERROR'));
    throw new ProvisioningFailure('BadArgument', `Model URI '${modelUri}' cannot be downloaded: only azureml:// datastore URIs are supported.`);
  }
  const started = Date.now();
  d.logs.storageInitializer.push(...downloadStartLines(modelUri, mountPathOf(d, spec)));
  const client = blobServiceClient({ ...rt.ctx.blob, caFile: rt.ctx.settings.caFile });
  try {
    const result = await downloadModelFiles(client, rt.ctx.blob.container, ref.path, dir);
    d.logs.storageInitializer.push(...downloadLines(result.files, Date.now() - started));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    d.logs.storageInitializer.push(storageLine(`Downloading model from ${modelUri} failed: ${why}`, 'ERROR'));
    // Azure's troubleshooting guide files this under BadArgument: "Unable to download user model".
    throw new ProvisioningFailure(
      'BadArgument',
      `Unable to download user model ${spec.model.name}:${spec.model.version} from ${modelUri}: ${why}`,
    );
  }
}

async function startInferenceServer(rt: MlRuntime, d: DeploymentRecord, spec: DeploymentSpec, dir: string): Promise<InferenceServer> {
  let server: InferenceServer;
  try {
    server = await rt.loadModelRepository(dir);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    d.logs.inferenceServer.push(...tritonStartupLines(mountPathOf(d, spec), []), why);
    throw new ProvisioningFailure('ResourceNotReady', `User container has crashed or terminated: the inference server could not start: ${why}`);
  }
  // Messages name the container's mount path, not the test bed's folder.
  const statuses: ModelLoadStatus[] = ((await modelStatuses(server)) ?? []).map((st) => ({ ...st, reason: st.reason.split(dir).join(mountPathOf(d, spec)) }));
  const ready = statuses.length > 0 ? statuses.every((s) => s.state === 'READY') : await serverReady(server);
  d.logs.inferenceServer.push(...tritonStartupLines(mountPathOf(d, spec), statuses));
  if (!ready || statuses.length === 0) {
    await server.close();
    const failed = statuses.filter((s) => s.state !== 'READY').map((s) => `${s.name}: ${s.reason || s.state}`);
    const why = statuses.length === 0 ? 'no model found in the model repository' : `model(s) failed to load (${failed.join('; ')})`;
    throw new ProvisioningFailure('ResourceNotReady', `User container has crashed or terminated: Triton exited because ${why}. See the InferenceServer logs.`);
  }
  const probeFailure = await failedProbe(server, spec);
  if (probeFailure) {
    await server.close();
    d.logs.inferenceServer.push(probeFailure);
    throw new ProvisioningFailure('ResourceNotReady', `User container has crashed or terminated: ${probeFailure}`);
  }
  return server;
}

/** Triton's default HTTP port (tritonserver --http-port), the only one the test bed's Triton serves. */
const TRITON_HTTP_PORT = 8000;

/**
 * Azure probes a custom container's liveness and readiness routes (the environment's
 * inference_config) and never routes to it while they fail; no-code Triton has Azure's own probes.
 */
async function failedProbe(server: InferenceServer, spec: DeploymentSpec): Promise<string | undefined> {
  const config = spec.environment?.properties.inferenceConfig as Record<string, { path?: unknown; port?: unknown } | undefined> | undefined;
  if (!config) return undefined;
  for (const [name, route] of [['liveness', config.livenessRoute], ['readiness', config.readinessRoute]] as const) {
    if (!route || typeof route.path !== 'string') continue;
    if (route.port !== TRITON_HTTP_PORT) return `the ${name} probe GET ${route.path} on port ${String(route.port)} failed: connection refused (Triton serves HTTP on port ${TRITON_HTTP_PORT}).`;
    const path = route.path.startsWith('/') ? route.path : `/${route.path}`;
    const reply = await server.handle({ method: 'GET', path, headers: {}, body: Buffer.alloc(0) });
    if (reply.status !== 200) return `the ${name} probe GET ${path} on port ${TRITON_HTTP_PORT} failed with HTTP ${reply.status}.`;
  }
  return undefined;
}

/**
 * Runs one provisioning attempt for generation `generation` of deployment `d`. A newer PUT or a
 * delete makes the result stale: it is then dropped (and its server closed).
 */
export async function provisionDeployment(rt: MlRuntime, d: DeploymentRecord, spec: DeploymentSpec, op: Operation): Promise<void> {
  const generation = d.generation;
  const started = Date.now();
  const dir = path.join(rt.ctx.settings.stateDir, 'machine-learning', d.endpointName, d.name, `g${generation}`);
  const isCurrent = () => rt.state.deployment(d.endpointName, d.name) === d && d.generation === generation;
  let server: InferenceServer | undefined;
  let error: OperationError | undefined;
  try {
    const scripted = rt.state.takeProvisioningFailure(d.name);
    if (scripted) throw new ProvisioningFailure(scripted.code, scripted.message ?? defaultScriptedMessage(scripted.code, d));
    if (spec.instanceType.kind === 'retired') {
      const r = spec.instanceType.retired;
      throw new ProvisioningFailure(
        'BadArgument',
        `Instance type ${spec.instanceType.name} (${r.series} series) was retired on ${r.retiredOn} and can no longer be provisioned. ` +
          'Choose a current size such as Standard_NC4as_T4_v3 or Standard_NC24ads_A100_v4.',
      );
    }
    // Azure allocates the VMs before it pulls anything: a deployment that does not fit fails here.
    const shortfall = quotaShortfall(rt, d);
    if (shortfall) throw new ProvisioningFailure('OutOfQuota', shortfall);
    await pullImage(rt, spec);
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.mkdir(dir, { recursive: true });
    await initializeStorage(rt, d, spec, dir);
    server = await startInferenceServer(rt, d, spec, dir);
  } catch (e) {
    error = e instanceof ProvisioningFailure ? { code: e.code, message: e.message } : { code: 'InternalServerError', message: String(e) };
    if (!(e instanceof ProvisioningFailure)) rt.ctx.log(`machine-learning: provisioning ${d.endpointName}/${d.name} crashed: ${e instanceof Error ? e.stack : String(e)}`);
  }
  await sleep(rt.state.timing.provisioningMs - (Date.now() - started));
  if (!isCurrent()) {
    await server?.close();
    rt.operations.fail(op.id, { code: 'Canceled', message: 'The operation was superseded by a newer operation on the deployment.' });
    return;
  }
  const previous = d.server;
  const previousDir = d.modelDir;
  if (error) {
    d.server = undefined;
    d.modelDir = undefined;
    d.provisioningState = 'Failed';
    d.error = error;
    rt.operations.fail(op.id, error);
  } else {
    d.server = server;
    d.modelDir = dir;
    d.provisioningState = 'Succeeded';
    d.error = undefined;
    rt.operations.succeed(op.id);
  }
  if (previous && previous !== server) await previous.close();
  if (previousDir && previousDir !== d.modelDir) await fs.promises.rm(previousDir, { recursive: true, force: true });
}

function defaultScriptedMessage(code: string, d: DeploymentRecord): string {
  switch (code) {
    case 'OutOfQuota':
      return `Not enough quota available for ${String(d.properties.instanceType)} in SubscriptionId. Current usage/limit: 0/0. Additional needed: ${d.sku.capacity * 4}.`;
    case 'ResourceNotReady':
      return 'User container has crashed or terminated. Please see troubleshooting guide.';
    case 'ImageNotFound':
      return 'Image build or pull failed: the image could not be found in the container registry.';
    default:
      return `Deployment ${d.name} failed to provision (${code}).`;
  }
}
