/**
 * A GitHub deployment in the environment's history: created for the commit when Azure work starts,
 * in_progress while it runs, then success (environment_url: the scoring URI) or failure, each status
 * linking the workflow run. Never fails the deploy: a token without `deployments: write` is said once,
 * any other error is a warning, and the rest of the calls are skipped.
 */
import type { GitHubSettings } from '../config/action-config';
import type { Log } from '../log';
import { describeGitHubError, isMissingPermission, type GitHubApi } from './github-api';

export class GitHubDeployment {
  private id?: number;
  private off = false;

  constructor(
    private readonly settings: GitHubSettings,
    private readonly api: () => Promise<GitHubApi>,
    private readonly log: Log,
  ) {}

  /** Creates the deployment and marks it in_progress. */
  async start(description: string, payload: Record<string, string>): Promise<void> {
    const s = this.settings;
    if (!s.recordDeployment || !s.token || !s.repository || !s.sha) return;
    await this.attempt(async (api) => {
      const { id } = await api.createDeployment({ ref: s.sha!, environment: s.environment, description, payload });
      this.id = id;
      await api.createDeploymentStatus(id, { state: 'in_progress', log_url: s.runUrl, description: truncate(description) });
      this.log.info(`GitHub deployment ${id} in environment '${s.environment}': in_progress`);
    });
  }

  /** success with the scoring URI as the environment's URL, or failure. */
  async finish(outcome: { ok: true; environmentUrl?: string; description: string } | { ok: false; description: string }): Promise<void> {
    const id = this.id;
    if (id === undefined) return;
    this.id = undefined;
    await this.attempt(async (api) => {
      const state = outcome.ok ? 'success' : 'failure';
      const url = outcome.ok && outcome.environmentUrl ? outcome.environmentUrl : undefined;
      await api.createDeploymentStatus(id, { state, environment_url: url, log_url: this.settings.runUrl, description: truncate(outcome.description) });
      this.log.info(`GitHub deployment ${id} in environment '${this.settings.environment}': ${state}${url ? ` (${url})` : ''}`);
    });
  }

  private async attempt(f: (api: GitHubApi) => Promise<void>): Promise<void> {
    if (this.off) return;
    try {
      await f(await this.api());
    } catch (e) {
      this.off = true;
      this.id = undefined;
      if (isMissingPermission(e)) {
        this.log.warning(`The GitHub token may not create deployments (${describeGitHubError(e)}): add 'permissions: deployments: write' to the job, or set github-deployment: false. The deploy goes on without a GitHub deployment.`);
      } else {
        this.log.warning(`GitHub deployment in environment '${this.settings.environment}' not recorded (${describeGitHubError(e)}); the deploy goes on.`);
      }
    }
  }
}

/** A deployment status description is at most 140 characters. */
function truncate(s: string): string {
  return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}
