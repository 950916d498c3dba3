/**
 * ACR Tasks quick builds (Microsoft.ContainerRegistry 2019-06-01-preview, containerregistry_build.json),
 * played for real: listBuildSourceUploadUrl hands out a write SAS for a blob on Azurite,
 * scheduleRun (a DockerBuildRequest) downloads that tar.gz, builds it with the test bed's dockerd
 * (`docker build -` reads the gzipped context from stdin, as the task agent's docker does) and pushes
 * to the ACR's docker-registry backend; the run's output goes to an append blob served through
 * listLogSasUrl while it runs, as ACR's `rawtext.log`. Runs_Get reports the status and outputImages.
 */
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { ACR_TASKS_API_VERSION } from '../api-versions';
import type { TestbedContext } from '../context';
import type { Router, TestbedRequest } from '../server/router';
import { TestbedHttpError } from '../server/router';
import { trustingStoragePipeline } from '../tls/ca-trust';
import { checkScope } from './registry-resource';

export const TASKS_API_VERSIONS = [ACR_TASKS_API_VERSION];
export const SOURCE_CONTAINER = 'acr-build-sources';
export const LOG_CONTAINER = 'acr-build-logs';

interface RunState {
  runId: string;
  status: string;
  createTime: string;
  startTime?: string;
  finishTime?: string;
  lastUpdatedTime: string;
  outputImages?: { registry: string; repository: string; tag: string; digest: string }[];
  runErrorMessage?: string;
}

interface DockerBuildBody {
  type?: string;
  imageNames?: string[];
  isPushEnabled?: boolean;
  noCache?: boolean;
  dockerFilePath?: string;
  sourceLocation?: string;
  platform?: { os?: string; architecture?: string };
  timeout?: number;
}

/** Runs a command, feeding `input` on stdin, sending each output chunk to `out`; resolves with the exit code. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, out: (chunk: string) => void, input?: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => out(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => out(c.toString('utf8')));
    child.on('error', (e) => {
      out(`${e.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(input);
  });
}

export function registerAcrTasks(router: Router, ctx: TestbedContext): void {
  const runs = new Map<string, RunState>();
  let counter = 0;
  const credential = new StorageSharedKeyCredential(ctx.blob.accountName, ctx.blob.accountKey);
  const service = new BlobServiceClient(ctx.blob.url, trustingStoragePipeline(ctx.settings.caFile, credential));
  let containers: Promise<{ sources: ContainerClient; logs: ContainerClient }> | undefined;
  const ready = () =>
    (containers ??= (async () => {
      const sources = service.getContainerClient(SOURCE_CONTAINER);
      const logs = service.getContainerClient(LOG_CONTAINER);
      await Promise.all([sources.createIfNotExists(), logs.createIfNotExists()]);
      return { sources, logs };
    })());
  const sas = (container: string, blob: string, permissions: string, minutes: number) =>
    `${ctx.blob.url}/${container}/${blob}?${generateBlobSASQueryParameters(
      { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + minutes * 60000), protocol: SASProtocol.Https },
      credential,
    ).toString()}`;

  const provider = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ContainerRegistry/registries/:name';
  const registryId = (req: TestbedRequest) => `/subscriptions/${req.params.sub}/resourceGroups/${req.params.rg}/providers/Microsoft.ContainerRegistry/registries/${ctx.settings.registryName}`;
  const here = (req: TestbedRequest): void => {
    ctx.requireArmToken(req);
    if (!checkScope(req, ctx, TASKS_API_VERSIONS) || req.params.name.toLowerCase() !== ctx.settings.registryName.toLowerCase()) {
      throw new TestbedHttpError(404, 'ResourceNotFound', `The Resource 'Microsoft.ContainerRegistry/registries/${req.params.name}' under resource group '${req.params.rg}' was not found.`);
    }
  };
  const resource = (req: TestbedRequest, r: RunState) => ({
    id: `${registryId(req)}/runs/${r.runId}`,
    name: r.runId,
    type: 'Microsoft.ContainerRegistry/registries/runs',
    properties: {
      runId: r.runId,
      status: r.status,
      lastUpdatedTime: r.lastUpdatedTime,
      runType: 'QuickRun',
      createTime: r.createTime,
      ...(r.startTime ? { startTime: r.startTime } : {}),
      ...(r.finishTime ? { finishTime: r.finishTime } : {}),
      ...(r.outputImages ? { outputImages: r.outputImages } : {}),
      ...(r.runErrorMessage ? { runErrorMessage: r.runErrorMessage } : {}),
      platform: { os: 'Linux', architecture: 'amd64' },
      agentConfiguration: { cpu: 2 },
      provisioningState: 'Succeeded',
      isArchiveEnabled: false,
    },
  });

  router.route('POST', `${provider}/listBuildSourceUploadUrl`, async (req) => {
    here(req);
    await ready();
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 12);
    const relativePath = `source/${stamp}/${randomUUID()}.tar.gz`;
    return { status: 200, body: { uploadUrl: sas(SOURCE_CONTAINER, relativePath, 'cw', 60), relativePath } };
  });

  router.route('POST', `${provider}/scheduleRun`, async (req) => {
    here(req);
    const body = req.json() as DockerBuildBody;
    if (body.type !== 'DockerBuildRequest') throw new TestbedHttpError(400, 'InvalidRequest', `The test bed runs only DockerBuildRequest, not '${body.type ?? ''}'.`);
    if (!body.dockerFilePath || !body.sourceLocation) throw new TestbedHttpError(400, 'InvalidRequest', 'dockerFilePath and sourceLocation are required.');
    if ((body.platform?.os ?? '').toLowerCase() !== 'linux') throw new TestbedHttpError(400, 'InvalidRequest', `The platform OS '${body.platform?.os ?? ''}' is not supported.`);
    const { sources, logs } = await ready();
    const source = sources.getBlockBlobClient(body.sourceLocation);
    if (!(await source.exists())) throw new TestbedHttpError(400, 'InvalidSourceLocation', `The source location '${body.sourceLocation}' was not found.`);
    const now = new Date().toISOString();
    const state: RunState = { runId: `c${(++counter).toString(36)}${randomUUID().slice(0, 2)}`, status: 'Queued', createTime: now, lastUpdatedTime: now };
    runs.set(state.runId, state);
    const logBlob = logs.getAppendBlobClient(`${state.runId}/rawtext.log`);
    await logBlob.create();
    void buildRun(state, body, await source.downloadToBuffer(), logBlob).catch((e: unknown) => ctx.log(`run ${state.runId}: ${String(e)}`));
    return { status: 200, body: resource(req, state) };
  });

  /** The run itself: docker build from the context on stdin, push to the backend, log as an append blob. */
  async function buildRun(state: RunState, body: DockerBuildBody, context: Buffer, logBlob: ReturnType<ContainerClient['getAppendBlobClient']>): Promise<void> {
    let pending = '';
    let writing = Promise.resolve();
    const flush = () => {
      if (!pending) return writing;
      const text = pending;
      pending = '';
      writing = writing.then(() => logBlob.appendBlock(text, Buffer.byteLength(text)).then(() => undefined));
      return writing;
    };
    const timer = setInterval(() => void flush(), 200);
    const out = (s: string) => (pending += s);
    const started = Date.now();
    const set = (status: string) => {
      state.status = status;
      state.lastUpdatedTime = new Date().toISOString();
    };
    set('Running');
    state.startTime = state.lastUpdatedTime;
    const backend = new URL(ctx.registry.backendUrl).host;
    const names = body.imageNames ?? [];
    const env = { ...process.env, DOCKER_HOST: ctx.settings.dockerHost, DOCKER_BUILDKIT: '0' };
    let ok = true;
    out(`Queued a build with ID: ${state.runId}\nWaiting for an agent...\n2025/01/01 00:00:00 Downloading source code...\n2025/01/01 00:00:00 Finished downloading source code\n`);
    if (!ctx.settings.dockerHost) {
      out('the test bed runs without dockerd: no task agent\n');
      ok = false;
    } else {
      const tags = names.flatMap((n) => ['-t', `${backend}/${n}`]);
      out(`Step: docker build ${body.noCache ? '--no-cache ' : ''}-f ${body.dockerFilePath} ${names.map((n) => `-t ${ctx.registry.loginServer}/${n}`).join(' ')} .\n`);
      ok = (await run('docker', ['build', ...(body.noCache ? ['--no-cache'] : []), '-f', body.dockerFilePath!, ...tags, '-'], env, out, context)) === 0;
      const outputs: NonNullable<RunState['outputImages']> = [];
      for (const n of body.isPushEnabled === false || !ok ? [] : names) {
        let pushed = '';
        ok = (await run('docker', ['push', `${backend}/${n}`], env, (s) => {
          pushed += s;
          out(s.replaceAll(backend, ctx.registry.loginServer));
        })) === 0;
        if (!ok) break;
        const [repository, tag = 'latest'] = n.split(':');
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1] ?? '';
        outputs.push({ registry: ctx.registry.loginServer, repository, tag, digest });
      }
      if (ok && outputs.length) state.outputImages = outputs;
      await run('docker', ['image', 'rm', ...names.map((n) => `${backend}/${n}`)], env, () => undefined);
    }
    const took = `${Math.max(1, Math.round((Date.now() - started) / 1000))}s`;
    out(ok ? `Run ID: ${state.runId} was successful after ${took}\n` : `Run ID: ${state.runId} failed after ${took}. Error: failed during run, err: exit status 1\n`);
    clearInterval(timer);
    await flush();
    if (!ok) state.runErrorMessage = 'failed during run, err: exit status 1';
    state.finishTime = new Date().toISOString();
    set(ok ? 'Succeeded' : 'Failed');
    ctx.log(`ACR task run ${state.runId}: ${state.status}`);
  }

  const find = (req: TestbedRequest): RunState => {
    here(req);
    const r = runs.get(req.params.runId);
    if (!r) throw new TestbedHttpError(404, 'ResourceNotFound', `The run '${req.params.runId}' was not found.`);
    return r;
  };
  router.route('GET', `${provider}/runs/:runId`, (req) => ({ status: 200, body: resource(req, find(req)) }));
  router.route('POST', `${provider}/runs/:runId/listLogSasUrl`, (req) => {
    const r = find(req);
    return { status: 200, body: { logLink: sas(LOG_CONTAINER, `${r.runId}/rawtext.log`, 'r', 60) } };
  });
}
