/**
 * The few GitHub REST calls the action makes (deployments, deployment statuses, issue comments),
 * through @actions/github's Octokit at GITHUB_API_URL. Loaded only when a call is made: the module
 * reads the event payload and builds its HTTP stack on import.
 */
import type { GitHubSettings } from '../config/action-config';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive' | 'queued' | 'pending';

export interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
}

export interface GitHubApi {
  createDeployment(args: { ref: string; environment: string; description: string; payload: Record<string, string> }): Promise<{ id: number }>;
  createDeploymentStatus(deploymentId: number, args: { state: DeploymentState; environment_url?: string; log_url?: string; description: string }): Promise<void>;
  listComments(issue: number): Promise<IssueComment[]>;
  createComment(issue: number, body: string): Promise<IssueComment>;
  updateComment(commentId: number, body: string): Promise<IssueComment>;
}

/** The Octokit client for settings.token (which must be set) and settings.repository. */
export async function createGitHubApi(settings: GitHubSettings): Promise<GitHubApi> {
  if (!settings.token || !settings.repository) throw new Error('a GitHub token and GITHUB_REPOSITORY are needed');
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(settings.token, { baseUrl: settings.apiUrl });
  const repo = settings.repository;
  return {
    async createDeployment(args) {
      // required_contexts []: GitHub would otherwise refuse (409) while the commit's checks run, as they do during this job.
      const res = await octokit.rest.repos.createDeployment({
        ...repo,
        ref: args.ref,
        environment: args.environment,
        description: args.description,
        payload: args.payload,
        auto_merge: false,
        required_contexts: [],
        task: 'deploy',
      });
      if (res.status !== 201 || !('id' in res.data)) throw new Error(`GitHub did not create the deployment (HTTP ${res.status}: ${JSON.stringify(res.data)})`);
      return { id: res.data.id };
    },
    async createDeploymentStatus(deploymentId, args) {
      await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deploymentId, ...args, auto_inactive: true });
    },
    async listComments(issue) {
      return octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
    },
    async createComment(issue, body) {
      return (await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body })).data;
    },
    async updateComment(commentId, body) {
      return (await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body })).data;
    },
  };
}

/** A 403 for a permission the job's token was not given ("Resource not accessible by integration"). */
export function isMissingPermission(e: unknown): boolean {
  const err = e as { status?: number; message?: string } | undefined;
  return err?.status === 403 && /not accessible by integration|resource not accessible/i.test(err.message ?? '');
}

export function describeGitHubError(e: unknown): string {
  const err = e as { status?: number; message?: string } | undefined;
  return err?.status ? `HTTP ${err.status}: ${err.message}` : err instanceof Error ? err.message : String(e);
}
