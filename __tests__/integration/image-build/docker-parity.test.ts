/**
 * The registry path's image runs as the docker-built one: the same Dockerfile over the same base,
 * built once by docker (the test bed's dockerd) and once in the registry, gives the same filesystem
 * (rootfs diff_ids) and the same runtime config. History text differs by builder (the classic
 * builder's "/bin/sh -c #(nop)" form against BuildKit's), so only its shape is compared.
 */
import { specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';
import { pushStandInBase } from '../../../testbed/triton-base-image';

let fx: Fixture;
let baseImage: string;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
type Config = { config: Record<string, unknown>; rootfs: { diff_ids: string[] }; history: { empty_layer?: boolean }[] };

async function configOf(image: string): Promise<{ config: Config; layers: string[] }> {
  const [, repository, digest] = /^[^/]+\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image) ?? [];
  const backend = fx.testbed.context.registry.backendUrl;
  const manifest = (await (await fetch(`${backend}/v2/${repository}/manifests/${digest}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json()) as { config: { digest: string }; layers: { digest: string }[] };
  const config = (await (await fetch(`${backend}/v2/${repository}/blobs/${manifest.config.digest}`)).json()) as Config;
  return { config, layers: manifest.layers.map((l) => l.digest) };
}

/** What a container started from the image sees (docker's classic builder also writes empty Hostname, Volumes, ... and the parent id). */
const RUNTIME = ['Env', 'Cmd', 'Entrypoint', 'ExposedPorts', 'WorkingDir', 'User', 'Labels'];
const runtime = (c: Config) => Object.fromEntries(RUNTIME.map((k) => [k, c.config[k] === '' ? undefined : c.config[k]]));

beforeAll(async () => {
  fx = await startFixture('docker-parity');
  // The multi-layer stand-in, mirrored into the ACR: both paths start from the same base.
  await pushStandInBase(fx.testbed.context.registry.backendUrl, 'mirror/nvidia/tritonserver', 'multi-layer');
  baseImage = `${fx.testbed.settings.registryLoginServer}/mirror/nvidia/tritonserver:multi-layer`;
}, 180000);
afterAll(async () => fx?.stop());

it('builds the same image in the registry as docker builds on the runner', async () => {
  expect(fx.testbed.settings.dockerHost).toBeDefined();
  const docker = await fx.run({ ...inputs, 'triton-base-image': baseImage, 'image-build': 'docker', 'image-repository': 'triton-docker' });
  expect({ code: docker.exitCode, log: docker.exitCode ? tail(docker) : '' }).toEqual({ code: 0, log: '' });
  expect(docker.summary).toMatch(/docker build and push on the runner/);
  const registry = await fx.run({ ...inputs, 'triton-base-image': baseImage, 'image-build': 'registry', 'image-repository': 'triton-registry' });
  expect({ code: registry.exitCode, log: registry.exitCode ? tail(registry) : '' }).toEqual({ code: 0, log: '' });
  expect(registry.summary).toMatch(/built in the registry; runner sent \d+ B/);

  const fromDocker = await configOf(docker.outputs.image);
  const fromRegistry = await configOf(registry.outputs.image);
  expect(fromRegistry.config.rootfs).toEqual(fromDocker.config.rootfs);
  expect(runtime(fromRegistry.config)).toEqual(runtime(fromDocker.config));
  expect(fromRegistry.config.config.Cmd).toEqual(['tritonserver', '--model-repository=/models/model_repository', '--http-port=8000']);
  // docker adds an empty-layer entry per instruction (and, classic builder, one for --label); the base's entries are kept.
  const base = 3;
  expect(fromRegistry.config.history.slice(base).every((h) => h.empty_layer)).toBe(true);
  expect(fromDocker.config.history.slice(base, base + 2).every((h) => h.empty_layer)).toBe(true);
  expect(fromRegistry.config.history).toHaveLength(base + 2);
});

it('left no spec violations', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
