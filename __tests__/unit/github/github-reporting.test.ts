/**
 * The action's GitHub calls (src/github) made with the real Octokit against the test bed's GitHub API
 * emulator, which checks each request against GitHub's OpenAPI description.
 */
import type { GitHubSettings } from '../../../src/config/action-config';
import { createGitHubApi } from '../../../src/github/github-api';
import { GitHubReporting } from '../../../src/github/github-reporting';
import { commentMarker } from '../../../src/github/pull-request-comment';
import type { DeploymentRecord, CommentRecord } from '../../../testbed/github-api/github-api-state';
import type { ApiViolation } from '../../../testbed/github-api/openapi-check';
import { startGitHubApiEmulator, type Emulator } from './github-api-emulator';

const REPOSITORY = 'octo-org/detector-models';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const RUN_URL = 'https://github.com/octo-org/detector-models/actions/runs/4242';
let gh: Emulator;
let settings: GitHubSettings;

function recordingLog() {
  const lines: { level: string; text: string }[] = [];
  return {
    lines,
    warnings: () => lines.filter((l) => l.level === 'warning').map((l) => l.text),
    info: (text: string) => lines.push({ level: 'info', text }),
    warning: (text: string) => lines.push({ level: 'warning', text }),
    debug: () => undefined,
  };
}

beforeAll(async () => {
  gh = await startGitHubApiEmulator();
});
afterAll(async () => gh.stop());
beforeEach(async () => {
  await gh.control('POST', '/reset');
  const { token } = await gh.control<{ token: string }>('POST', '/token', { repository: REPOSITORY });
  settings = { token, apiUrl: gh.apiUrl, repository: { owner: 'octo-org', repo: 'detector-models' }, sha: SHA, runUrl: RUN_URL, environment: 'staging', recordDeployment: true, pullRequest: 7 };
});
afterEach(async () => {
  expect(await gh.control<ApiViolation[]>('GET', '/violations')).toEqual([]);
});

describe('GitHub deployment', () => {
  it('records in_progress, then success with the scoring URI as environment URL and the run as log URL', async () => {
    const log = recordingLog();
    const github = new GitHubReporting(settings, log);
    await github.deployment.start('blue on Azure ML endpoint detector', { endpoint: 'detector', deployment: 'blue' });
    await github.deployment.finish({ ok: true, environmentUrl: 'https://detector.westeurope.inference.ml.azure.com/score', description: 'blue serves detector' });
    const [d] = await gh.control<DeploymentRecord[]>('GET', '/deployments');
    expect({ sha: d.sha, environment: d.environment, payload: d.payload }).toEqual({ sha: SHA, environment: 'staging', payload: { endpoint: 'detector', deployment: 'blue' } });
    expect(d.statuses.map((s) => [s.state, s.environment_url, s.log_url])).toEqual([
      ['in_progress', '', RUN_URL],
      ['success', 'https://detector.westeurope.inference.ml.azure.com/score', RUN_URL],
    ]);
    expect(log.warnings()).toEqual([]);
  });

  it('marks the deployment failed, and an earlier successful one inactive only after a later success', async () => {
    const first = new GitHubReporting(settings, recordingLog());
    await first.deployment.start('a', {});
    await first.deployment.finish({ ok: true, environmentUrl: 'https://a/score', description: 'a' });
    const second = new GitHubReporting(settings, recordingLog());
    await second.deployment.start('b', {});
    await second.deployment.finish({ ok: false, description: 'x'.repeat(300) });
    const [a, b] = await gh.control<DeploymentRecord[]>('GET', '/deployments');
    expect(a.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(b.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(b.statuses[1].description.length).toBeLessThanOrEqual(140);
  });

  it('says once that the token lacks deployments: write, and goes on', async () => {
    await gh.control('POST', '/permissions', { deployments: 'none' });
    const log = recordingLog();
    const github = new GitHubReporting(settings, log);
    await github.deployment.start('blue', {});
    await github.deployment.finish({ ok: true, environmentUrl: 'https://a/score', description: 'done' });
    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]).toMatch(/Resource not accessible by integration.*permissions: deployments: write/);
    expect(await gh.control('GET', '/deployments')).toEqual([]);
  });

  it('makes no GitHub call without a token or when github-deployment is false', async () => {
    for (const s of [{ ...settings, token: undefined }, { ...settings, recordDeployment: false }]) {
      const github = new GitHubReporting(s, recordingLog());
      await github.deployment.start('blue', {});
      await github.deployment.finish({ ok: true, environmentUrl: 'https://a/score', description: 'done' });
    }
    expect(await gh.control('GET', '/deployments')).toEqual([]);
  });
});

describe('pull-request comment', () => {
  const content = (headline: string) => ({ ok: true, headline, report: { stages: [], latency: [] } });

  it('is created once and updated on a re-run, found by its marker among many others', async () => {
    // More than a page of other people's comments: the marker search must follow the pagination.
    for (let i = 0; i < 105; i++) await gh.control('POST', '/comments', { repository: REPOSITORY, issue: 7, body: `review ${i}` });
    const github = new GitHubReporting(settings, recordingLog());
    const first = await github.comment('detector', content('dry run: create blue on detector'));
    const second = await github.comment('detector', content('blue serves detector'));
    expect([first.action, second.action]).toEqual(['created', 'updated']);
    const mine = (await gh.control<CommentRecord[]>('GET', '/comments')).filter((c) => c.user === 'github-actions[bot]');
    expect(mine).toHaveLength(1);
    expect(mine[0].body.startsWith(commentMarker('detector'))).toBe(true);
    expect(mine[0].body).toContain('blue serves detector');
    expect(mine[0].body).toContain(RUN_URL);
  });

  it('keeps one comment per endpoint', async () => {
    const github = new GitHubReporting(settings, recordingLog());
    await github.comment('detector', content('one'));
    await github.comment('detector-eu', content('two'));
    expect(await gh.control<CommentRecord[]>('GET', '/comments')).toHaveLength(2);
  });

  it('posts nothing outside a pull_request event', async () => {
    const outcome = await new GitHubReporting({ ...settings, pullRequest: undefined }, recordingLog()).comment('detector', content('x'));
    expect(outcome).toEqual({ action: 'skipped', reason: 'not a pull_request event' });
    expect(await gh.control('GET', '/comments')).toEqual([]);
  });

  it('says once that the token lacks pull-requests: write, and goes on', async () => {
    await gh.control('POST', '/permissions', { 'pull-requests': 'read', issues: 'read' });
    const log = recordingLog();
    const outcome = await new GitHubReporting(settings, log).comment('detector', content('x'));
    expect(outcome.action).toBe('skipped');
    expect(log.warnings()).toEqual([expect.stringMatching(/Resource not accessible by integration.*pull-requests: write/)]);
  });
});

describe('the emulator as referee', () => {
  it("refuses, and lists, a request GitHub's OpenAPI description does not allow", async () => {
    const api = await createGitHubApi(settings);
    const { id } = await api.createDeployment({ ref: SHA, environment: 'staging', description: 'x', payload: {} });
    await expect(api.createDeploymentStatus(id, { state: 'done' as 'success', description: 'x' })).rejects.toMatchObject({ status: 422 });
    const violations = await gh.control<ApiViolation[]>('GET', '/violations');
    expect(violations).toEqual([expect.objectContaining({ operation: 'repos/create-deployment-status', direction: 'request', errors: [expect.stringMatching(/state should be equal to one of the allowed values/)] })]);
    await gh.control('POST', '/reset');
  });

  it('refuses a deployment that would wait for the commit checks (no required_contexts: [])', async () => {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(settings.token!, { baseUrl: gh.apiUrl });
    await expect(octokit.rest.repos.createDeployment({ owner: 'octo-org', repo: 'detector-models', ref: SHA, auto_merge: false })).rejects.toMatchObject({ status: 409 });
  });

  it('answers 401 to an unknown token and 404 for another repository', async () => {
    await expect((await createGitHubApi({ ...settings, token: 'ghs_nope' })).listComments(7)).rejects.toMatchObject({ status: 401 });
    await expect((await createGitHubApi({ ...settings, repository: { owner: 'octo-org', repo: 'other' } })).listComments(7)).rejects.toMatchObject({ status: 404 });
  });
});
