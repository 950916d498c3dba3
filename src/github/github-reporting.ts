/**
 * What the run tells GitHub besides the job summary: the deployment in the environment's history
 * and, on pull_request events, one comment. One Octokit client, made on first use.
 */
import type { GitHubSettings } from '../config/action-config';
import type { Log } from '../log';
import { createGitHubApi, type GitHubApi } from './github-api';
import { GitHubDeployment } from './github-deployment';
import { pullRequestCommentBody, type CommentContent } from './pull-request-comment-body';
import { upsertPullRequestComment, type CommentOutcome } from './pull-request-comment';

export class GitHubReporting {
  readonly deployment: GitHubDeployment;
  private client?: Promise<GitHubApi>;

  constructor(
    readonly settings: GitHubSettings,
    private readonly log: Log,
  ) {
    this.deployment = new GitHubDeployment(settings, this.api, log);
  }

  /** Posts or updates the endpoint's comment on the pull request (only on pull_request events). */
  comment(endpoint: string, content: Omit<CommentContent, 'runUrl'>): Promise<CommentOutcome> {
    return upsertPullRequestComment(this.settings, this.api, endpoint, pullRequestCommentBody({ ...content, runUrl: this.settings.runUrl }), this.log);
  }

  private readonly api = (): Promise<GitHubApi> => (this.client ??= createGitHubApi(this.settings));
}
