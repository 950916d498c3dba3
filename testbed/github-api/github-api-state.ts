/**
 * What the GitHub API emulator remembers: the job tokens it issued (each for one repository), the
 * permissions the job's token has, deployments with their statuses, and issue comments. Objects
 * are shaped as GitHub's responses (the 201/200 schemas of github-rest-operations.json).
 */
import * as crypto from 'crypto';

export type Permission = 'write' | 'read' | 'none';
export const PERMISSION_SCOPES = ['deployments', 'pull-requests', 'issues'] as const;
export type PermissionScope = (typeof PERMISSION_SCOPES)[number];

export interface DeploymentRecord {
  id: number;
  repository: string;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  original_environment: string;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  updated_at: string;
  statuses: StatusRecord[];
}

export interface StatusRecord {
  id: number;
  state: string;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
}

export interface CommentRecord {
  id: number;
  repository: string;
  issue: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

/** The GITHUB_TOKEN's user. */
export const ACTIONS_BOT = 'github-actions[bot]';

export class GitHubApiState {
  readonly tokens = new Map<string, { repository: string }>();
  permissions: Record<PermissionScope, Permission> = { deployments: 'write', 'pull-requests': 'write', issues: 'write' };
  readonly deployments: DeploymentRecord[] = [];
  readonly comments: CommentRecord[] = [];
  private nextId = 1000;

  issueToken(repository: string): string {
    const token = `ghs_${crypto.randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { repository });
    return token;
  }

  id(): number {
    return this.nextId++;
  }

  reset(): void {
    this.deployments.length = 0;
    this.comments.length = 0;
    this.permissions = { deployments: 'write', 'pull-requests': 'write', issues: 'write' };
  }
}

/** A simple-user object as GitHub returns for creators and comment authors. */
export function simpleUser(apiUrl: string, login: string): Record<string, unknown> {
  const url = `${apiUrl}/users/${encodeURIComponent(login)}`;
  return {
    login, id: 41898282, node_id: 'MDM6Qm90NDE4OTgyODI=', avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4', gravatar_id: '',
    url, html_url: `https://github.com/apps/github-actions`, followers_url: `${url}/followers`, following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`, starred_url: `${url}/starred{/owner}{/repo}`, subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`, repos_url: `${url}/repos`, events_url: `${url}/events{/privacy}`, received_events_url: `${url}/received_events`,
    type: 'Bot', site_admin: false,
  };
}
