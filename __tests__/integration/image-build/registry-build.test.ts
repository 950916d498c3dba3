/**
 * Issue 11 (points 1, 3, 4): the rendered Triton image built in the registry, with no Docker daemon.
 * importImage copies the multi-layer base from the stand-in for nvcr.io (private, '$oauthtoken')
 * into the ACR registry to registry; the runner writes only a new config and manifest. The tests
 * run in order: wrong credentials first (the base is not imported yet), then the deploy, then a re-run.
 */
import { specViolations, startFixture, tail, control, type Fixture } from '../testbed-fixture';
import { standInBaseImage } from '../../../testbed/triton-base-image';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
const credentials = () => ({ 'base-image-username': fx.testbed.settings.baseImageUsername, 'base-image-password': fx.testbed.settings.baseImagePassword });
type Logged = { server?: string; method: string; url: string; status: number };
const requests = () => control<Logged[]>(fx.testbed.settings, 'GET', '/requests');
async function requestsOf<T>(run: () => Promise<T>): Promise<{ result: T; made: Logged[] }> {
  const before = (await requests()).length;
  const result = await run();
  return { result, made: (await requests()).slice(before) };
}
const backend = (path: string, accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json') =>
  fetch(`${fx.testbed.context.registry.backendUrl}${path}`, { headers: { accept } });

beforeAll(async () => {
  fx = await startFixture('registry-build', { docker: false });
}, 180000);
afterAll(async () => fx?.stop());

it('starts without dockerd, with a private multi-layer base on the stand-in for nvcr.io', () => {
  expect(fx.testbed.settings.dockerHost).toBeUndefined();
  expect(fx.baseImage).toMatch(/^127\.0\.0\.1:\d+\/nvidia\/tritonserver:25\.04-py3$/);
  expect(standInBaseImage().blobs.size).toBeGreaterThanOrEqual(4); // 3 layers + config
});

it('fails with an error naming the input when the base registry refuses the credentials', async () => {
  const { result: run, made } = await requestsOf(() => fx.run({ ...inputs, 'base-image-username': '$oauthtoken', 'base-image-password': 'not-the-key' }));
  expect(run.exitCode).not.toBe(0);
  expect(tail(run)).toMatch(/base-image-password/);
  expect(tail(run)).toMatch(/Unauthorized/);
  expect(made.filter((r) => /\/importImage\?/.test(r.url)).map((r) => r.status)).toEqual([202]);
  expect(made.filter((r) => r.method === 'PUT' && /\/manifests\//.test(r.url))).toEqual([]);
  expect(run.log.split('\n').filter((l) => l.includes('not-the-key') && !l.startsWith('::add-mask::'))).toEqual([]);
});

it('deploys custom_model with the image built in the registry: the base layers under a new Cmd/ExposedPorts config', async () => {
  const { result: run, made } = await requestsOf(() => fx.run({ ...inputs, ...credentials() }));
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(made.filter((r) => /\/importImage\?/.test(r.url)).map((r) => r.status)).toEqual([202]);
  expect(run.summary).toMatch(/built in the registry, base imported with importImage; runner sent \d+ B, received \d+ B/);
  const [, sent, received] = /runner sent (\d+) B, received (\d+) B/.exec(run.summary) ?? [];
  expect(Number(sent) + Number(received)).toBeLessThan(64 * 1024);

  const image = run.outputs.image;
  const [, repository, digest] = /^[^/]+\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image) ?? [];
  expect(repository).toBe('triton-detectnet');
  const manifest = (await (await backend(`/v2/${repository}/manifests/${digest}`)).json()) as { config: { digest: string }; layers: { digest: string }[] };
  const base = JSON.parse(standInBaseImage().manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  expect(manifest.layers.map((l) => l.digest)).toEqual(base.layers.map((l) => l.digest));
  for (const layer of manifest.layers) expect((await backend(`/v2/${repository}/blobs/${layer.digest}`)).status).toBe(200);
  const config = (await (await backend(`/v2/${repository}/blobs/${manifest.config.digest}`)).json()) as { config: Record<string, unknown>; history: { created_by: string; empty_layer?: boolean }[]; rootfs: { diff_ids: string[] } };
  expect(config.config.ExposedPorts).toEqual({ '8000/tcp': {} });
  expect(config.config.Cmd).toEqual(['tritonserver', '--model-repository=/models/model_repository', '--http-port=8000']);
  expect(config.config.Entrypoint).toEqual(['/opt/nvidia/nvidia_entrypoint.sh']);
  expect(config.history.slice(-2).map((h) => [h.created_by, h.empty_layer])).toEqual([
    ['EXPOSE map[8000/tcp:{}]', true],
    ['CMD ["tritonserver" "--model-repository=/models/model_repository" "--http-port=8000"]', true],
  ]);
  expect(config.rootfs.diff_ids).toHaveLength(3);
});

it('imports nothing and writes nothing on a re-run', async () => {
  const { result: run, made } = await requestsOf(() => fx.run({ ...inputs, ...credentials() }));
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(made.filter((r) => /importImage/.test(r.url))).toEqual([]);
  expect(made.filter((r) => r.server === 'registry' && r.url.startsWith('/v2/') && !['GET', 'HEAD'].includes(r.method)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
});

it('left no spec violations', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
