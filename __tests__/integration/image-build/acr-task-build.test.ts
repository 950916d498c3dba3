/**
 * Issue 11 (point 2): a user Dockerfile built by ACR Tasks, as `az acr build` does it. The context
 * (minus .dockerignore) goes to a SAS URL on Azurite, scheduleRun builds it with the test bed's
 * dockerd and pushes to the ACR, and the run's log shows up in the job log. A registry that refuses
 * tasks (TasksOperationsNotAllowed) makes `auto` fall back to docker on the runner.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  dockerfile: 'image/Dockerfile',
  'docker-context': 'image',
};
type Logged = { server?: string; method: string; url: string; status: number };
const requests = () => control<Logged[]>(fx.testbed.settings, 'GET', '/requests');
const refuseTasks = () =>
  control(fx.testbed.settings, 'POST', '/faults', {
    match: { method: 'POST', pathRegex: '/registries/[^/]+/scheduleRun$' },
    times: 1,
    response: {
      status: 400,
      body: { error: { code: 'TasksOperationsNotAllowed', message: `ACR Tasks requests for the registry ${fx.testbed.settings.registryName} and ${fx.testbed.settings.subscriptionId} are not permitted. Please file an Azure support request at http://aka.ms/azuresupport for assistance.`, target: 'request' } },
    },
  });

function writeContext(dockerfile: string): void {
  const dir = path.join(fx.workspace, 'image');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'notes'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  fs.writeFileSync(path.join(dir, '.dockerignore'), '# left out of the context\nsecret.key\nnotes\n*.log\n!keep.log\n');
  fs.writeFileSync(path.join(dir, 'bin', 'tritonserver'), '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'secret.key'), 'do-not-ship');
  fs.writeFileSync(path.join(dir, 'notes', 'todo.txt'), 'x');
  fs.writeFileSync(path.join(dir, 'debug.log'), 'x');
  fs.writeFileSync(path.join(dir, 'keep.log'), 'kept');
}

/** The file names in the image's layers, read from the ACR's backend. */
async function filesIn(image: string): Promise<string[]> {
  const [, repository, digest] = /^[^/]+\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image) ?? [];
  const backend = fx.testbed.context.registry.backendUrl;
  const manifest = (await (await fetch(`${backend}/v2/${repository}/manifests/${digest}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json()) as { layers: { digest: string }[] };
  const names: string[] = [];
  for (const layer of manifest.layers) {
    const blob = Buffer.from(await (await fetch(`${backend}/v2/${repository}/blobs/${layer.digest}`)).arrayBuffer());
    names.push(...execFileSync('tar', ['-tz'], { input: blob, encoding: 'utf8' }).trim().split('\n'));
  }
  return names.filter((n) => !n.endsWith('/'));
}

beforeAll(async () => {
  fx = await startFixture('acr-task-build');
}, 180000);
afterAll(async () => fx?.stop());

it('builds a user Dockerfile with ACR Tasks, without the ignored files, and shows the run log in the job log', async () => {
  expect(fx.testbed.settings.dockerHost).toBeDefined();
  writeContext('FROM scratch\nCOPY . /app/\nCOPY bin/tritonserver /opt/tritonserver/bin/tritonserver\nCMD ["tritonserver", "--model-repository=/models/model_repository"]\n');
  const before = (await requests()).length;
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  const made = (await requests()).slice(before);
  expect(made.filter((r) => /\/(listBuildSourceUploadUrl|scheduleRun)\?/.test(r.url)).map((r) => `${r.method} ${r.url.replace(/^.*\/registries\/[^/]+\//, '').replace(/\?.*/, '')} ${r.status}`)).toEqual([
    'POST listBuildSourceUploadUrl 200',
    'POST scheduleRun 200',
  ]);
  // The run's own log, line by line in the job log.
  expect(run.log).toMatch(/\| Step 1\/4 : FROM scratch/);
  expect(run.log).toMatch(/\| Run ID: \w+ was successful after \d+s/);
  expect(run.summary).toMatch(/built by ACR Tasks, run \w+; runner sent the \d+ B context/);
  const files = await filesIn(run.outputs.image);
  expect(files).toEqual(expect.arrayContaining(['app/Dockerfile', 'app/.dockerignore', 'app/bin/tritonserver', 'app/keep.log', 'opt/tritonserver/bin/tritonserver']));
  expect(files.filter((f) => /secret\.key|notes\/|debug\.log/.test(f))).toEqual([]);
  // The build's SAS URLs (source upload, run log) never reach the log.
  expect(run.log.split('\n').filter((l) => /acr-build-(sources|logs)\/.*[?&]sig=/.test(l) && !l.startsWith('::add-mask::'))).toEqual([]);
});

it('fails with the tail of the run log when the task build fails', async () => {
  writeContext('FROM scratch\nCOPY missing-file /x\n');
  const run = await fx.run({ ...inputs, 'image-repository': 'custom-broken' });
  expect(run.exitCode).not.toBe(0);
  expect(tail(run)).toMatch(/ACR task run \w+ ended Failed/);
  expect(tail(run)).toMatch(/COPY failed|missing-file/);
  expect(tail(run)).toMatch(/Run ID: \w+ failed after/);
});

it('falls back to docker on the runner when the registry refuses tasks (auto)', async () => {
  writeContext('FROM scratch\nCOPY bin/tritonserver /opt/tritonserver/bin/tritonserver\nCMD ["tritonserver"]\n');
  await refuseTasks();
  const run = await fx.run({ ...inputs, 'image-repository': 'custom-fallback' });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log).toMatch(/cannot run ACR Tasks \(TasksOperationsNotAllowed\); building with docker on the runner/);
  expect(run.summary).toMatch(/docker build and push on the runner: the registry cannot run ACR Tasks, TasksOperationsNotAllowed/);
  expect(await filesIn(run.outputs.image)).toEqual(['opt/tritonserver/bin/tritonserver']);
});

it("fails naming 'image-build' when it is 'acr-task' and the registry refuses tasks", async () => {
  writeContext('FROM scratch\nCOPY bin/tritonserver /opt/x\n');
  await refuseTasks();
  const run = await fx.run({ ...inputs, 'image-build': 'acr-task', 'image-repository': 'custom-explicit' });
  expect(run.exitCode).not.toBe(0);
  expect(tail(run)).toMatch(/Input 'image-build' is 'acr-task', but registry .* cannot run ACR Tasks.*TasksOperationsNotAllowed/);
});

it('left no spec violations', async () => {
  await control(fx.testbed.settings, 'DELETE', '/faults');
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
