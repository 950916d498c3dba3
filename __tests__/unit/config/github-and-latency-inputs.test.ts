/** The GitHub and latency inputs (issue 14) as the config reads them. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildConfig, LATENCY_TIME_LIMIT_MS, type RunEnvironment } from '../../../src/config/build-config';
import { INPUT_DEFAULTS, SECRET_INPUTS, type RawInputs } from '../../../src/config/input-defaults';
import { UserInputErrors } from '../../../src/errors';

let dir: string;
const env = (over: Partial<RunEnvironment> = {}): RunEnvironment => ({ workspaceDir: dir, tempDir: dir, oidcAvailable: true, repository: 'octo/models', sha: 'abc', serverUrl: 'https://github.com', runId: '7', ...over });
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-config-'));
  fs.copyFileSync(path.resolve(__dirname, '../../../samples/tao-detectnet-v2/images/street.png'), path.join(dir, 'a.png'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const inputs = (over: Partial<RawInputs> = {}): RawInputs => ({
  ...INPUT_DEFAULTS, 'subscription-id': 's', 'resource-group': 'rg', workspace: 'ws', 'client-id': 'c', 'tenant-id': 't', 'endpoint-name': 'detector', 'smoke-test-images': 'a.png', ...over,
});
const problems = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserInputErrors) return e.problems.map((p) => p.message);
    throw e;
  }
  return [];
};

describe('GitHub settings', () => {
  it('records the deployment in an environment named after the endpoint unless github-environment says otherwise', () => {
    expect(buildConfig(inputs({ 'github-token': 'ghs_x' }), env()).github).toEqual({
      token: 'ghs_x', apiUrl: 'https://api.github.com', repository: { owner: 'octo', repo: 'models' }, sha: 'abc',
      runUrl: 'https://github.com/octo/models/actions/runs/7', environment: 'detector', recordDeployment: true, pullRequest: undefined,
    });
    expect(buildConfig(inputs({ 'github-environment': 'production', 'github-deployment': 'false' }), env()).github).toMatchObject({ environment: 'production', recordDeployment: false });
  });

  it('has no token when the default arrives unexpanded (outside a runner) or is emptied', () => {
    expect(buildConfig(inputs({}), env()).github.token).toBeUndefined();
    expect(buildConfig(inputs({ 'github-token': '' }), env()).github.token).toBeUndefined();
  });

  it('masks the token as a secret', () => {
    expect(SECRET_INPUTS).toContain('github-token');
  });

  it('takes the pull request number only on pull_request events, and GITHUB_API_URL as the API', () => {
    expect(buildConfig(inputs(), env({ eventName: 'pull_request', pullRequestNumber: 12, apiUrl: 'https://ghe.example.com/api/v3/' })).github).toMatchObject({ pullRequest: 12, apiUrl: 'https://ghe.example.com/api/v3' });
    expect(buildConfig(inputs(), env({ eventName: 'push', pullRequestNumber: 12 })).github.pullRequest).toBeUndefined();
  });

  it('refuses a github-deployment that is not a boolean, naming the input', () => {
    expect(problems(() => buildConfig(inputs({ 'github-deployment': 'sometimes' }), env()))).toEqual([expect.stringContaining("Input 'github-deployment' is 'sometimes'")]);
  });
});

describe('latency settings', () => {
  it('measures 20 requests within the time limit, with no budget, by default', () => {
    expect(buildConfig(inputs(), env()).smokeTest.latency).toEqual({ requests: 20, p95BudgetMs: undefined, timeLimitMs: LATENCY_TIME_LIMIT_MS });
  });

  it.each([['250', 250], ['250ms', 250], ['12.5', 12.5]])('reads latency-p95-budget %p as %p ms', (raw, ms) => {
    expect(buildConfig(inputs({ 'latency-p95-budget': raw }), env()).smokeTest.latency.p95BudgetMs).toBe(ms);
  });

  it.each([
    [{ 'latency-requests': '-1' }, "Input 'latency-requests' is '-1'; expected an integer from 0 to 1000."],
    [{ 'latency-requests': '2.5' }, "Input 'latency-requests' is '2.5'; expected an integer from 0 to 1000."],
    [{ 'latency-p95-budget': 'fast' }, "Input 'latency-p95-budget' is 'fast'; expected a number from 0.1 to 600000."],
    [{ 'latency-p95-budget': '100', 'latency-requests': '0' }, "Input 'latency-p95-budget' is '100' but latency-requests is 0"],
  ])('refuses %p', (over, message) => {
    expect(problems(() => buildConfig(inputs(over), env()))).toEqual([expect.stringContaining(message)]);
  });
});
