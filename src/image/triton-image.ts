/**
 * The Triton image stage: render (or take the user's) Dockerfile, compute the content tag, and
 * build + push only when the registry does not already have that tag.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TokenCredential } from '@azure/identity';
import type { ImageSettings } from '../config/action-config';
import { UserInputError } from '../errors';
import type { Log } from '../log';
import { DEFAULT_RETRY, type RetryOptions } from '../transient-retry';
import { accessTokenFor, ACR_ENTRA_SCOPE, ACR_TOKEN_USER, exchangeForRefreshToken, registryHint } from './acr-token-exchange';
import { dockerCli, DockerError } from './docker-cli';
import { renderDockerfile, templatePath } from './dockerfile-template';
import { contextFiles, imageTag } from './image-tag';
import { importBase, type RegistryArm } from './base-import';
import type { AcrTasksClient } from './acr-tasks-client';
import { buildWithAcrTask, tasksRefused } from './acr-task-build';
import { parseTemplateDockerfile } from './image-config';
import { writeImageOverBase } from './registry-build';
import { RegistryHttp } from './registry-http';
import { manifestDigest } from './registry-manifest';

export interface ImagePlan {
  loginServer: string;
  repository: string;
  tag: string;
  dockerfile: string;
  contextDir: string;
  baseImage: string;
  /** Where it is built (image-build, `auto` resolved). */
  build: 'registry' | 'acr-task' | 'docker';
  /** `auto` chose acr-task: docker on the runner when the registry cannot run tasks. */
  dockerFallback?: boolean;
  /** Digest when the registry already has the tag (nothing to build). */
  existingDigest?: string;
}

export interface ImageResult {
  reference: string; // loginServer/repository@sha256:...
  built: boolean;
  durationMs: number;
  /** Which path ran, and what the runner sent and received for it (registry path only: docker's traffic is not counted). */
  path?: 'registry' | 'acr-task' | 'docker';
  /** acr-task: the run's id and the context archive the runner uploaded. */
  runId?: string;
  contextBytes?: number;
  /** Why docker ran instead of the path `auto` chose. */
  fallbackReason?: string;
  runnerBytes?: { sent: number; received: number };
  baseImported?: boolean;
}

export interface RegistrySession {
  loginServer: string;
  refreshToken: string;
  /** The registry's ARM resource, for importImage (registry path). */
  arm?: RegistryArm;
  /** ACR Tasks on the same registry (acr-task path). */
  tasks?: AcrTasksClient;
  /** For importImage from a private base registry (inputs base-image-username / base-image-password). */
  baseCredentials?: { username: string; password: string };
}

const LABELS = { 'org.opencontainers.image.description': 'Triton image built by aml-triton-deploy' };

export async function signInToRegistry(loginServer: string, credential: TokenCredential, tenantId: string | undefined, mask: (s: string) => void, retry: RetryOptions = DEFAULT_RETRY): Promise<RegistrySession> {
  const token = await credential.getToken(ACR_ENTRA_SCOPE);
  if (!token) throw new Error('no Entra token for the registry exchange');
  const refreshToken = await exchangeForRefreshToken(loginServer, tenantId, token.token, retry);
  mask(refreshToken);
  return { loginServer, refreshToken };
}

export async function planImage(settings: ImageSettings, session: RegistrySession, repository: string, modelMountPath: string, workDir: string, mask: (s: string) => void): Promise<ImagePlan> {
  let dockerfile: string;
  let contextDir: string;
  if (settings.dockerfile) {
    dockerfile = settings.dockerfile;
    contextDir = settings.dockerContext ?? path.dirname(settings.dockerfile);
  } else {
    contextDir = path.join(workDir, 'image-context');
    await fs.promises.mkdir(contextDir, { recursive: true });
    dockerfile = path.join(contextDir, 'Dockerfile');
    const text = renderDockerfile(await fs.promises.readFile(templatePath(), 'utf8'), {
      baseImage: settings.tritonBaseImage,
      modelRepository: `${modelMountPath.replace(/\/+$/, '')}/model_repository`,
    });
    await fs.promises.writeFile(dockerfile, text);
  }
  const files = await contextFiles(contextDir);
  const tag = imageTag(await fs.promises.readFile(dockerfile, 'utf8'), settings.tritonBaseImage, files);
  const pullToken = await accessTokenFor(session.loginServer, session.refreshToken, `repository:${repository}:pull`);
  mask(pullToken);
  const existingDigest = await manifestDigest(session.loginServer, repository, tag, pullToken);
  return { loginServer: session.loginServer, repository, tag, dockerfile, contextDir, baseImage: settings.tritonBaseImage, build: settings.build, dockerFallback: settings.dockerFallback, existingDigest };
}

export async function buildAndPushImage(plan: ImagePlan, session: RegistrySession, log: Log, mask: (s: string) => void, retry: RetryOptions = DEFAULT_RETRY): Promise<ImageResult> {
  retry = { ...retry, log: retry.log ?? log };
  if (plan.existingDigest) {
    return { reference: `${plan.loginServer}/${plan.repository}@${plan.existingDigest}`, built: false, durationMs: 0 };
  }
  if (plan.build === 'registry') return buildInRegistry(plan, session, log, mask, retry);
  if (plan.build === 'acr-task') {
    try {
      return await buildInAcrTask(plan, session, log, mask);
    } catch (e) {
      if (!tasksRefused(e)) throw e;
      if (!plan.dockerFallback) {
        throw new UserInputError(`Input 'image-build' is 'acr-task', but registry ${plan.loginServer} cannot run ACR Tasks: ${e.message}. Use 'docker' (or 'auto', which falls back to docker).`, { input: 'image-build' });
      }
      log.warning(`Registry ${plan.loginServer} cannot run ACR Tasks (${e.code || e.status}); building with docker on the runner instead. ${e.message}`);
      const r = await buildWithDocker(plan, session, log, mask, retry);
      return { ...r, fallbackReason: e.code || `HTTP ${e.status}` };
    }
  }
  return buildWithDocker(plan, session, log, mask, retry);
}

async function buildInAcrTask(plan: ImagePlan, session: RegistrySession, log: Log, mask: (s: string) => void): Promise<ImageResult> {
  const started = Date.now();
  if (!session.tasks) throw new Error(`building with ACR Tasks needs the registry's ARM resource`);
  const run = await buildWithAcrTask({ tasks: session.tasks, contextDir: plan.contextDir, dockerfile: plan.dockerfile, image: { repository: plan.repository, tag: plan.tag }, log, mask });
  let digest = run.digest;
  if (!digest) {
    const pullToken = await accessTokenFor(plan.loginServer, session.refreshToken, `repository:${plan.repository}:pull`);
    mask(pullToken);
    digest = await manifestDigest(plan.loginServer, plan.repository, plan.tag, pullToken);
  }
  if (!digest) throw new Error(`ACR task run ${run.runId} succeeded but ${plan.repository}:${plan.tag} is not in ${plan.loginServer}`);
  return { reference: `${plan.loginServer}/${plan.repository}@${digest}`, built: true, durationMs: Date.now() - started, path: 'acr-task', runId: run.runId, contextBytes: run.uploadedBytes };
}

async function buildWithDocker(plan: ImagePlan, session: RegistrySession, log: Log, mask: (s: string) => void, retry: RetryOptions): Promise<ImageResult> {
  const started = Date.now();
  const docker = dockerCli(log);
  if (!(await docker.succeeds(['version', '--format', '{{.Server.APIVersion}}']))) {
    throw new DockerError(`No Docker daemon answers (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'default'}); the image ${plan.repository}:${plan.tag} must be built. Use a runner with Docker, or model-type 'triton_model'.`);
  }
  const ref = `${plan.loginServer}/${plan.repository}:${plan.tag}`;
  // A private docker config keeps the registry credential off the runner's shared ~/.docker.
  const dockerConfig = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'aml-triton-docker-'));
  const home = process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  if (fs.existsSync(path.join(home, 'config.json'))) await fs.promises.copyFile(path.join(home, 'config.json'), path.join(dockerConfig, 'config.json'));
  const scoped = dockerCli(log, { ...process.env, DOCKER_CONFIG: dockerConfig });
  try {
    const hint = registryHint(plan.loginServer);
    await scoped.run(['login', plan.loginServer, '--username', ACR_TOKEN_USER, '--password-stdin'], {
      input: session.refreshToken,
      retry: { operation: `docker login ${plan.loginServer}`, hint, options: retry },
    });
    const buildx = await scoped.succeeds(['buildx', 'version']);
    log.info(`  building ${ref} with ${buildx ? 'buildx' : 'the classic builder'}`);
    const buildArgs = ['--tag', ref, '--file', plan.dockerfile, ...Object.entries(LABELS).flatMap(([k, v]) => ['--label', `${k}=${v}`]), plan.contextDir];
    await scoped.run(buildx ? ['buildx', 'build', '--load', ...buildArgs] : ['build', ...buildArgs]);
    log.info(`  pushing ${ref}`);
    // A push again uploads only what the registry lacks.
    await scoped.run(['push', ref], { retry: { operation: `docker push ${ref}`, hint, options: retry } });
    const pullToken = await accessTokenFor(plan.loginServer, session.refreshToken, `repository:${plan.repository}:pull`, retry);
    mask(pullToken);
    const digest = await manifestDigest(plan.loginServer, plan.repository, plan.tag, pullToken, retry);
    if (!digest) throw new DockerError(`${ref} was pushed but the registry does not list it`);
    return { reference: `${plan.loginServer}/${plan.repository}@${digest}`, built: true, durationMs: Date.now() - started, path: 'docker' };
  } finally {
    await fs.promises.rm(dockerConfig, { recursive: true, force: true });
  }
}

/** importImage for the base (once per tag), then a new config + manifest over its layers: no Docker, no layer through the runner. */
async function buildInRegistry(plan: ImagePlan, session: RegistrySession, log: Log, mask: (s: string) => void, retry: RetryOptions): Promise<ImageResult> {
  const started = Date.now();
  const edits = parseTemplateDockerfile(await fs.promises.readFile(plan.dockerfile, 'utf8'), plan.dockerfile);
  const http = new RegistryHttp(plan.loginServer, session.refreshToken, mask, retry);
  const base = await importBase({ base: edits.from, http, arm: session.arm, credentials: session.baseCredentials, log });
  log.info(`  writing ${plan.repository}:${plan.tag} over the layers of ${base.repository}:${base.reference} (new config and manifest only)`);
  const digest = await writeImageOverBase({ http, base, target: { repository: plan.repository, tag: plan.tag }, edits, labels: LABELS });
  return {
    reference: `${plan.loginServer}/${plan.repository}@${digest}`,
    built: true,
    durationMs: Date.now() - started,
    path: 'registry',
    runnerBytes: { ...http.bytes },
    baseImported: base.imported,
  };
}

/** For the summary: which path ran and what the runner moved. */
export function describeImagePath(r: ImageResult): string {
  if (r.path === 'registry') {
    const b = r.runnerBytes ?? { sent: 0, received: 0 };
    return ` (built in the registry${r.baseImported ? ', base imported with importImage' : ''}; runner sent ${b.sent} B, received ${b.received} B)`;
  }
  if (r.path === 'acr-task') return ` (built by ACR Tasks, run ${r.runId}; runner sent the ${r.contextBytes ?? 0} B context)`;
  if (r.path === 'docker') return ` (docker build and push on the runner${r.fallbackReason ? `: the registry cannot run ACR Tasks, ${r.fallbackReason}` : ''})`;
  return '';
}
