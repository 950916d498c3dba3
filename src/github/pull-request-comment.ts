/**
 * One comment per endpoint on the pull request, found again by a hidden marker and edited in place,
 * so re-runs update it instead of adding another. Never fails the deploy: a token without
 * `pull-requests: write` is said once, any other error is a warning.
 */
import type { GitHubSettings } from '../config/action-config';
import type { Log } from '../log';
import { describeGitHubError, isMissingPermission, type GitHubApi } from './github-api';

/** The hidden first line that identifies this action's comment for one endpoint. */
export function commentMarker(endpoint: string): string {
  return `<!-- aml-triton-deploy endpoint=${endpoint} -->`;
}

export type CommentOutcome = { action: 'created' | 'updated'; id: number; url: string } | { action: 'skipped'; reason: string };

export async function upsertPullRequestComment(settings: GitHubSettings, api: () => Promise<GitHubApi>, endpoint: string, body: string, log: Log): Promise<CommentOutcome> {
  const pr = settings.pullRequest;
  if (pr === undefined) return { action: 'skipped', reason: 'not a pull_request event' };
  if (!settings.token || !settings.repository) return { action: 'skipped', reason: 'no github-token' };
  const marker = commentMarker(endpoint);
  const text = `${marker}\n${body}`;
  try {
    const client = await api();
    const mine = (await client.listComments(pr)).find((c) => c.body?.startsWith(marker));
    const comment = mine ? await client.updateComment(mine.id, text) : await client.createComment(pr, text);
    const action = mine ? 'updated' : 'created';
    log.info(`Pull request #${pr}: ${action} comment ${comment.html_url}`);
    return { action, id: comment.id, url: comment.html_url };
  } catch (e) {
    const reason = describeGitHubError(e);
    if (isMissingPermission(e)) {
      log.warning(`The GitHub token may not comment on pull request #${pr} (${reason}): add 'permissions: pull-requests: write' to the job. The run goes on without the comment.`);
    } else {
      log.warning(`Pull request #${pr}: the comment was not posted (${reason}); the run goes on.`);
    }
    return { action: 'skipped', reason };
  }
}
