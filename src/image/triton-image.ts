/**
 * The Triton image stage: render (or take the user's) Dockerfile, compute the content tag, and
 * build + push only when the registry does not already have that tag.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TokenCredential } from '@azure/identity';
import type { ImageSettings } from '../config/action-config';
import type { Log } from '../log';
import { DEFAULT_RETRY, type RetryOptions } from '../transient-retry';
import { accessTokenFor, ACR_ENTRA_SCOPE, ACR_TOKEN_USER, exchangeForRefreshToken, registryHint } from './acr-token-exchange';
import { dockerCli, DockerError } from './docker-cli';
import { renderDockerfile, templatePath } from './dockerfile-template';
import { contextFiles, imageTag } from './image-tag';
import { manifestDigest } from './registry-manifest';

export interface ImagePlan {
  loginServer: string;
  repository: string;
  tag: string;
  dockerfile: string;
  contextDir: string;
  baseImage: string;
  /** Digest when the registry already has the tag (nothing to build). */
  existingDigest?: string;
}

export interface ImageResult {
  reference: string; // loginServer/repository@sha256:...
  built: boolean;
  durationMs: number;
}

export interface RegistrySession {
  loginServer: string;
  refreshToken: string;
}

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
  return { loginServer: session.loginServer, repository, tag, dockerfile, contextDir, baseImage: settings.tritonBaseImage, existingDigest };
}

export async function buildAndPushImage(plan: ImagePlan, session: RegistrySession, log: Log, mask: (s: string) => void, retry: RetryOptions = DEFAULT_RETRY): Promise<ImageResult> {
  const started = Date.now();
  retry = { ...retry, log: retry.log ?? log };
  if (plan.existingDigest) {
    return { reference: `${plan.loginServer}/${plan.repository}@${plan.existingDigest}`, built: false, durationMs: 0 };
  }
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
    const buildArgs = ['--tag', ref, '--file', plan.dockerfile, '--label', `org.opencontainers.image.description=Triton image built by aml-triton-deploy`, plan.contextDir];
    await scoped.run(buildx ? ['buildx', 'build', '--load', ...buildArgs] : ['build', ...buildArgs]);
    log.info(`  pushing ${ref}`);
    // A push again uploads only what the registry lacks.
    await scoped.run(['push', ref], { retry: { operation: `docker push ${ref}`, hint, options: retry } });
    const pullToken = await accessTokenFor(plan.loginServer, session.refreshToken, `repository:${plan.repository}:pull`, retry);
    mask(pullToken);
    const digest = await manifestDigest(plan.loginServer, plan.repository, plan.tag, pullToken, retry);
    if (!digest) throw new DockerError(`${ref} was pushed but the registry does not list it`);
    return { reference: `${plan.loginServer}/${plan.repository}@${digest}`, built: true, durationMs: Date.now() - started };
  } finally {
    await fs.promises.rm(dockerConfig, { recursive: true, force: true });
  }
}
