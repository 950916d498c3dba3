/**
 * Issue 14: the action reports where GitHub users look. The test bed plays GitHub's API (deployments,
 * statuses, issue comments, each request checked against GitHub's OpenAPI description) at
 * GITHUB_API_URL, with the job token runAction hands the action as github-token.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CommentRecord, DeploymentRecord } from '../../../testbed/github-api/github-api-state';
import type { ApiViolation } from '../../../testbed/github-api/openapi-check';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
const RUN_URL = 'https://github.com/octo-org/detector-models/actions/runs/4242';

beforeAll(async () => {
  fx = await startFixture('github');
}, 300000);
afterAll(async () => fx?.stop());
afterEach(async () => {
  expect(await control<ApiViolation[]>(fx.testbed.settings, 'GET', '/github-api/violations')).toEqual([]);
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});

const deployments = () => control<DeploymentRecord[]>(fx.testbed.settings, 'GET', '/github-api/deployments');
const comments = () => control<CommentRecord[]>(fx.testbed.settings, 'GET', '/github-api/comments');
const endpoint = async (name: string) => (await fx.state()).endpoints.find((e) => e.name === name);

/** The runner's environment on a pull_request event for PR #42. */
function pullRequestEnv(): Record<string, string> {
  const file = path.join(fx.workspace, '..', 'event-pr-42.json');
  fs.writeFileSync(file, JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42, head: { ref: 'new-model' } } }));
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file };
}

it('records a GitHub deployment: in_progress while Azure works, then success with the scoring URI as environment URL; latency in the summary', async () => {
  const run = await fx.run({ ...inputs, 'endpoint-name': 'gh-env', 'github-environment': 'staging' });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  const [d, ...more] = await deployments();
  expect(more).toEqual([]);
  expect({ environment: d.environment, sha: d.sha }).toEqual({ environment: 'staging', sha: '3f786850e387550fdab836ed7e6dc881de23001b' });
  expect(d.statuses.map((s) => [s.state, s.environment_url, s.log_url])).toEqual([
    ['in_progress', '', RUN_URL],
    ['success', run.outputs['scoring-uri'], RUN_URL],
  ]);
  expect(run.outputs['scoring-uri']).toMatch(/^https:\/\/.+\/score$/);
  // The in_progress status came before Azure's work, the success after the smoke test.
  expect(run.log.search(/GitHub deployment \d+ in environment 'staging': in_progress/)).toBeLessThan(run.log.search(/Creating deployment/));
  expect(run.log.search(/latency of street\.png: 20 request\(s\): p50 /)).toBeLessThan(run.log.search(/Traffic -> /));
  expect(run.summary).toMatch(/Latency \(the first smoke-test image, one request at a time\)/);
  expect(run.summary).toMatch(/<td>latency<\/td><td>triton-[^<]*<\/td><td>20<\/td><td>[\d.]+ ms<\/td><td>[\d.]+ ms<\/td><td>[\d.]+ ms<\/td><td>[\d.]+\/s<\/td><td>–<\/td>/);
});

it('fails before any traffic change when the p95 is over latency-p95-budget, with the figures in the summary', async () => {
  await control(fx.testbed.settings, 'POST', '/github-api/reset');
  // No HTTPS inference through the test bed answers within 0.1 ms.
  const run = await fx.run({ ...inputs, 'endpoint-name': 'gh-slow', 'latency-p95-budget': '0.1', 'latency-requests': '10' });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/::error::The smoke test of triton-[0-9a-f]+ failed: p95 latency [\d.]+ ms exceeds latency-p95-budget 0\.1 ms \(10 request\(s\): p50 /);
  expect(run.log).not.toMatch(/Traffic -> /);
  expect(run.summary).toMatch(/<td>latency<\/td><td>❌ fail<\/td><td>10 request\(s\): p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms, [\d.]+ requests\/s via triton-[^;]*; budget p95 0\.1 ms<\/td>/);
  expect(run.summary).toMatch(/<td>❌ [\d.]+ ms<\/td><td>[\d.]+ ms<\/td><td>[\d.]+\/s<\/td><td>0\.1 ms<\/td>/);
  expect(run.log).toMatch(/Deleted triton-\S+ \(on-failure: delete\)/);
  const ep = await endpoint('gh-slow');
  expect(ep?.traffic ?? {}).toEqual({});
  expect(ep?.deployments ?? []).toEqual([]);
  const [d] = await deployments();
  expect(d.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  expect(d.statuses[1].description).toMatch(/failed: p95 latency/);
});

it('says once that the token lacks deployments: write, and deploys anyway', async () => {
  await control(fx.testbed.settings, 'POST', '/github-api/reset');
  await control(fx.testbed.settings, 'POST', '/github-api/permissions', { deployments: 'none' });
  const run = await fx.run({ ...inputs, 'endpoint-name': 'gh-env', 'latency-requests': '0' });
  await control(fx.testbed.settings, 'POST', '/github-api/reset');
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log.match(/::warning::The GitHub token may not create deployments \(HTTP 403: Resource not accessible by integration/g)).toHaveLength(1);
  expect(run.summary).not.toMatch(/Latency \(/);
});

it('posts the dry-run plan on the pull request once, updates it on a re-run, then shows the deploy with its detections and the images', async () => {
  await control(fx.testbed.settings, 'POST', '/github-api/reset');
  const env = pullRequestEnv();
  const pr = { ...inputs, 'endpoint-name': 'gh-pr' };
  const first = await fx.run({ ...pr, 'dry-run': 'true' }, env);
  expect({ code: first.exitCode, log: first.exitCode ? tail(first) : '' }).toEqual({ code: 0, log: '' });
  const [created, ...others] = await comments();
  expect(others).toEqual([]);
  expect(created).toMatchObject({ issue: 42, repository: 'octo-org/detector-models', user: 'github-actions[bot]' });
  expect(created.body).toMatch(/^<!-- aml-triton-deploy endpoint=gh-pr -->\n### ✅ Triton deploy: dry run: create triton-\S+ on gh-pr/);
  expect(created.body).toMatch(/\| 🆕 \| endpoint \| gh-pr: create \|/);
  expect(created.body).toMatch(/\| 🆕 \| deployment \| triton-\S+: create/);
  expect(created.body).toMatch(/\| 🔀 \| traffic \| \{"triton-\S+":100\} \|/);
  expect(created.body).toContain(`[Workflow run](${RUN_URL})`);
  // Dry run: no GitHub deployment.
  expect(await deployments()).toEqual([]);

  const again = await fx.run({ ...pr, 'dry-run': 'true' }, env);
  expect(again.exitCode).toBe(0);
  expect(again.log).toMatch(/Pull request #42: updated comment https:\/\/github\.com\/octo-org\/detector-models\/pull\/42#issuecomment-\d+/);
  const afterRerun = await comments();
  expect(afterRerun.map((c) => c.id)).toEqual([created.id]);

  const real = await fx.run(pr, env);
  expect({ code: real.exitCode, log: real.exitCode ? tail(real) : '' }).toEqual({ code: 0, log: '' });
  const [final, ...none] = await comments();
  expect(none).toEqual([]);
  expect(final.id).toBe(created.id);
  expect(final.body).toMatch(/### ✅ Triton deploy: triton-\S+ serves gh-pr/);
  expect(final.body).toMatch(/#### Smoke test: passed \(detectnet_v2, model detectnet_tao\)/);
  expect(final.body).toMatch(/\*\*street\.png\*\*: [1-9]\d* detection\(s\)\n\n\| # \| Label \| Score \| Box \(x1, y1, x2, y2\) \|\n\|---\|---\|---\|---\|\n\| 1 \| \w+ \| \d+\.\d{3} \| \d+, \d+, \d+, \d+ \|/);
  expect(final.body).toMatch(/Annotated images: \[artifact smoke-test-gh-pr[^\]]*\]\(https:\/\/github\.com\/octo-org\/detector-models\/actions\/runs\/4242\/artifacts\/\d+\)/);
  expect(final.body).toContain(`Scoring URI: ${real.outputs['scoring-uri']}`);
  expect(final.body).toMatch(/\| latency via triton-\S+ \| 20 \|/);
});

it('measures the latency again after each canary step, through the public URI', async () => {
  // New content: a new deployment beside the one serving gh-env.
  const model = path.join(fx.workspace, inputs['model-repository'], 'detectnet_tao');
  fs.mkdirSync(path.join(model, '2'));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, '2', 'model.onnx'));
  const run = await fx.run({ ...inputs, 'endpoint-name': 'gh-env', 'traffic-steps': '50,100', 'latency-requests': '5' });
  fs.rmSync(path.join(model, '2'), { recursive: true });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.summary).toMatch(/<td>latency<\/td><td>✅ pass<\/td><td>5 request\(s\): p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms, [\d.]+ requests\/s via triton-/);
  expect(run.summary).toMatch(/<td>latency after step 1<\/td><td>✅ pass<\/td><td>5 request\(s\): p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms, [\d.]+ requests\/s via the public URI<\/td>/);
  expect(run.summary).toMatch(/<tr><td>latency after step 1<\/td><td>the public URI<\/td><td>5<\/td>/);
});
