/**
 * Benchmark 5: where the Triton image is built, for a first deploy over a synthetic base of >= 1 GiB
 * of random data on the stand-in for nvcr.io. Two fresh test beds, one run each:
 * - docker: dockerd pulls the base from the stand-in, builds and pushes it to the ACR (what a hosted
 *   runner does with `image-build: docker`). Runner bytes = the blobs pulled (the base, on an empty
 *   dockerd) + the blobs pushed (the pushed manifest's config and layers, none of which the ACR had).
 * - registry: importImage copies the base registry to registry; the runner writes a config and a
 *   manifest. Runner bytes = what the action counts on the wire (its summary line).
 * Then a re-run of the registry path with the same inputs: it must PUT nothing and upload nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs, type ActionRun } from '../testbed/action-runner';
import { control } from '../testbed/control-client';
import { startTestbed, type RunningTestbed } from '../testbed/start-testbed';
import { onCleanup } from './cleanup-on-exit';
import { timeOnce } from './measurement';
import type { BenchRow } from './result-table';
import { pushSyntheticBase, writeSyntheticBase, type SyntheticBase } from './synthetic-base';

export const RUNNER_BYTES_TARGET = 64 * 1024;
export const SPEEDUP_TARGET = 50;
const BASE_REPOSITORY = 'nvidia/tritonserver';
const BASE_TAG = 'bench-1g';

export interface ImageBenchResult {
  image_docker_s: number;
  image_registry_s: number;
  image_runner_bytes_docker: number;
  image_runner_bytes_registry: number;
  base_bytes: number;
  first_deploy_s: number;
  first_deploy_docker_s: number;
  arm_calls_first: number;
  rerun_s: number;
  rerun_arm_puts: number;
  rerun_bytes_uploaded: number;
}

type Logged = { server: string; method: string; url: string; status: number; requestHeaders: Record<string, string> };

/** The image stage's time from the job summary's table (`<td>image</td>...<td>N.N s</td>`). */
function imageStageSeconds(summary: string): number {
  const m = /<td>image<\/td><td>[^<]*<\/td><td>.*?<\/td><td>([\d.]+) s<\/td>/.exec(summary);
  if (!m) throw new Error(`no image row in the summary:\n${summary.slice(0, 2000)}`);
  return Number(m[1]);
}

async function withTestbed<T>(workDir: string, name: string, docker: boolean, work: (tb: RunningTestbed) => Promise<T>): Promise<T> {
  const starting = startTestbed({ stateDir: path.join(workDir, `testbed-${name}`), docker, log: () => undefined });
  const forget = onCleanup(async () => (await starting.catch(() => undefined))?.stop());
  const tb = await starting.catch((e: unknown) => {
    forget();
    throw e;
  });
  try {
    return await work(tb);
  } finally {
    forget();
    await tb.stop();
  }
}

export async function benchImageBuild(workDir: string, log: (s: string) => void, baseMiB = 1040, layers = 4): Promise<{ rows: BenchRow[]; result: ImageBenchResult }> {
  const baseDir = path.join(workDir, 'synthetic-base');
  fs.mkdirSync(baseDir, { recursive: true });
  let base: SyntheticBase | undefined;
  const genMs = await timeOnce(async () => (base = await writeSyntheticBase(baseDir, layers, Math.floor((baseMiB * 1024 * 1024) / layers))));
  log(`  synthetic base: ${layers} layers, ${(base!.bytes / 2 ** 30).toFixed(2)} GiB of random data, written in ${(genMs / 1000).toFixed(1)} s`);

  const inputsFor = (tb: RunningTestbed, build: string): Record<string, string> => ({
    ...testbedInputs(tb.settings),
    'model-repository': 'samples/tao-detectnet-v2/model_repository',
    'model-name': 'DetectNet',
    'endpoint-name': 'triton-tao-endpoint',
    'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
    'smoke-test-images': 'samples/tao-detectnet-v2/images/street.*',
    'triton-base-image': `${tb.settings.baseImage.split('/')[0]}/${BASE_REPOSITORY}:${BASE_TAG}`,
    'base-image-username': tb.settings.baseImageUsername,
    'base-image-password': tb.settings.baseImagePassword,
    'image-build': build,
    'output-dir': path.join(workDir, `action-output-${build}`),
  });
  const runOnce = async (tb: RunningTestbed, build: string, name: string): Promise<{ run: ActionRun; seconds: number; calls: number }> => {
    let run: ActionRun | undefined;
    const ms = await timeOnce(async () => (run = await runAction({ settings: tb.settings, inputs: inputsFor(tb, build), workspaceDir: REPO_ROOT, runnerTemp: path.join(workDir, `runner-${name}`) })));
    const headline = [...run!.log.matchAll(/\((\d+(?:\.\d+)? m?s), (\d+) Azure calls?\)/g)].pop();
    if (run!.exitCode !== 0 || !headline) throw new Error(`the ${name} run exited with ${run!.exitCode}:\n${run!.log.slice(-3000)}`);
    log(`  ${name}: ${(ms / 1000).toFixed(1)} s wall, image stage ${imageStageSeconds(run!.summary)} s, ${headline[2]} Azure calls`);
    return { run: run!, seconds: ms / 1000, calls: Number(headline[2]) };
  };

  // The docker path: dockerd pulls the base from the stand-in (plain HTTP on loopback) and pushes the result.
  const docker = await withTestbed(workDir, 'docker', true, async (tb) => {
    if (!tb.settings.dockerHost) throw new Error('the docker path needs dockerd (apt-get install docker.io)');
    await pushSyntheticBase(base!, `http://${tb.settings.baseImage.split('/')[0]}`, BASE_REPOSITORY, BASE_TAG);
    const first = await runOnce(tb, 'docker', 'docker-first');
    const [, repository, digest] = /^[^/]+\/(.+)@(sha256:[0-9a-f]{64})$/.exec(first.run.outputs.image) ?? [];
    const backend = tb.context.registry.backendUrl;
    const pushed = (await (await fetch(`${backend}/v2/${repository}/manifests/${digest}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } })).json()) as { config: { size: number }; layers: { size: number }[] };
    const pushedBytes = pushed.config.size + pushed.layers.reduce((n, l) => n + l.size, 0);
    return { first, runnerBytes: base!.bytes + pushedBytes };
  });

  const registry = await withTestbed(workDir, 'registry', false, async (tb) => {
    await pushSyntheticBase(base!, `http://${tb.settings.baseImage.split('/')[0]}`, BASE_REPOSITORY, BASE_TAG);
    const first = await runOnce(tb, 'registry', 'registry-first');
    const m = /runner sent (\d+) B, received (\d+) B/.exec(first.run.summary);
    if (!m) throw new Error(`the registry run did not report its bytes:\n${first.run.summary.slice(0, 2000)}`);
    const before = (await control<Logged[]>(tb.settings, 'GET', '/requests')).length;
    const again = await runOnce(tb, 'registry', 'registry-rerun');
    const made = (await control<Logged[]>(tb.settings, 'GET', '/requests')).slice(before);
    const armPuts = made.filter((r) => r.server === 'main' && r.method === 'PUT' && r.url.startsWith('/subscriptions/')).length;
    const registryWrites = made.filter((r) => r.server === 'registry' && r.url.startsWith('/v2/') && !['GET', 'HEAD'].includes(r.method));
    const upload = /<td>upload<\/td><td>[^<]*create<\/td><td>\d+ files, (\d+) bytes/.exec(again.run.summary);
    const uploaded = Number(upload?.[1] ?? 0) + registryWrites.reduce((n, r) => n + Number(r.requestHeaders['content-length'] ?? 0), 0);
    return { first, again, runnerBytes: Number(m[1]) + Number(m[2]), armPuts, uploaded };
  });

  const result: ImageBenchResult = {
    image_docker_s: imageStageSeconds(docker.first.run.summary),
    image_registry_s: imageStageSeconds(registry.first.run.summary),
    image_runner_bytes_docker: docker.runnerBytes,
    image_runner_bytes_registry: registry.runnerBytes,
    base_bytes: base!.bytes,
    first_deploy_s: Number(registry.first.seconds.toFixed(2)),
    first_deploy_docker_s: Number(docker.first.seconds.toFixed(2)),
    arm_calls_first: registry.first.calls,
    rerun_s: Number(registry.again.seconds.toFixed(2)),
    rerun_arm_puts: registry.armPuts,
    rerun_bytes_uploaded: registry.uploaded,
  };
  const speedup = result.image_docker_s / Math.max(result.image_registry_s, 0.05);
  const rows: BenchRow[] = [
    { area: 'image', measure: `docker path: image stage (pull ${(base!.bytes / 2 ** 30).toFixed(2)} GiB base, build, push)`, value: result.image_docker_s, unit: 's', digits: 1 },
    { area: 'image', measure: 'registry path: image stage (importImage + config and manifest)', value: result.image_registry_s, unit: 's', digits: 1 },
    { area: 'image', measure: 'registry path: speed-up of the image stage', value: speedup, unit: 'x', digits: 0, target: `>= ${SPEEDUP_TARGET}x`, meets: speedup >= SPEEDUP_TARGET },
    { area: 'image', measure: 'docker path: bytes through the runner (pull + push)', value: result.image_runner_bytes_docker / 2 ** 20, unit: 'MiB', digits: 0 },
    { area: 'image', measure: 'registry path: bytes through the runner', value: result.image_runner_bytes_registry / 1024, unit: 'KiB', digits: 1, target: '<= 64 KiB', meets: result.image_runner_bytes_registry <= RUNNER_BYTES_TARGET },
    { area: 'image', measure: 'first deploy, registry path (whole action)', value: result.first_deploy_s, unit: 's', digits: 1 },
    { area: 'image', measure: 'first deploy, docker path (whole action)', value: result.first_deploy_docker_s, unit: 's', digits: 1 },
    { area: 'image', measure: 'first deploy: Azure calls', value: result.arm_calls_first, unit: 'calls', digits: 0 },
    { area: 'image', measure: 're-run (same inputs)', value: result.rerun_s, unit: 's', digits: 1 },
    { area: 'image', measure: 're-run: ARM PUTs', value: result.rerun_arm_puts, unit: 'PUTs', digits: 0, target: '0', meets: result.rerun_arm_puts === 0 },
    { area: 'image', measure: 're-run: bytes uploaded (model + registry writes)', value: result.rerun_bytes_uploaded, unit: 'B', digits: 0, target: '0', meets: result.rerun_bytes_uploaded === 0 },
  ];
  return { rows, result };
}
