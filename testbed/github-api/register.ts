/**
 * GitHub REST API emulator for the calls the action makes: deployments and their statuses, and issue
 * comments (a pull request's conversation). Served at the main server's root, as GITHUB_API_URL
 * (runAction sets it, with a job token from POST /_testbed/github-api/token). Every request is
 * checked against GitHub's OpenAPI description (openapi-check.ts): a violation is answered 422, as
 * GitHub answers an invalid body, and listed at GET /_testbed/github-api/violations, with any
 * response of the emulator's own that strays from the description.
 *
 * Control: POST /_testbed/github-api/token { repository } -> { token, apiUrl };
 * POST /_testbed/github-api/permissions { deployments?, 'pull-requests'?, issues? }: 'write' | 'read' | 'none';
 * GET /_testbed/github-api/deployments (each with its statuses, oldest first); GET /_testbed/github-api/comments;
 * POST /_testbed/github-api/comments { repository, issue, body, user? } (someone else's comment);
 * GET /_testbed/github-api/violations; POST /_testbed/github-api/reset.
 */
import type { TestbedContext } from '../context';
import type { Router, TestbedRequest, TestbedResponse } from '../server/router';
import { ACTIONS_BOT, GitHubApiState, PERMISSION_SCOPES, simpleUser, type CommentRecord, type DeploymentRecord, type Permission, type PermissionScope } from './github-api-state';
import { GitHubOpenApiCheck, type ApiViolation } from './openapi-check';

const DOCS = 'https://docs.github.com/rest';
const SERVER = 'https://github.com';

class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { errors?: unknown[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

/** GitHub's header on a 403 for a missing permission (seen on POST .../deployments: 'deployments=write'). */
const ACCEPTED_PERMISSIONS: Record<PermissionScope, string> = { deployments: 'deployments=write', 'pull-requests': 'pull_requests=write', issues: 'issues=write' };

interface Call {
  req: TestbedRequest;
  repository: string;
  body: Record<string, unknown>;
}

export async function registerGitHubApi(router: Router, ctx: TestbedContext): Promise<void> {
  const state = new GitHubApiState();
  const check = new GitHubOpenApiCheck();
  const violations: ApiViolation[] = [];
  const api = ctx.baseUrl;
  const repoUrl = (repository: string) => `${api}/repos/${repository}`;

  /** One GitHub operation: token, repository, permission, OpenAPI check of the request, then the handler. */
  const operation = (method: string, pathTemplate: string, needs: { scopes: PermissionScope[]; level: 'read' | 'write' }, handler: (call: Call) => TestbedResponse) => {
    const key = `${method} ${pathTemplate}`;
    const pattern = pathTemplate.replace(/\{(\w+)\}/g, ':$1');
    router.route(method, pattern, (req) => {
      const url = `${req.path}${[...req.query].length ? `?${req.query}` : ''}`;
      try {
        const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        const job = auth ? state.tokens.get(auth[1]) : undefined;
        if (!job) throw new GitHubError(401, 'Bad credentials');
        const repository = `${req.params.owner}/${req.params.repo}`;
        // A token sees only its own repository; others do not exist for it.
        if (repository.toLowerCase() !== job.repository.toLowerCase()) throw new GitHubError(404, 'Not Found');
        if (!needs.scopes.some((s) => allows(state.permissions[s], needs.level))) {
          const accepted = needs.scopes.map((s) => ACCEPTED_PERMISSIONS[s].replace('write', needs.level)).join('; ');
          throw new GitHubError(403, 'Resource not accessible by integration', { headers: { 'x-accepted-github-permissions': accepted } });
        }
        let body: unknown;
        if (req.body.length) {
          try {
            body = JSON.parse(req.body.toString('utf8'));
          } catch {
            throw new GitHubError(400, 'Problems parsing JSON');
          }
        }
        const errors = check.checkRequest(key, { params: req.params, query: req.query, body });
        if (errors.length) {
          violations.push({ operation: check.operationId(key), method, url, direction: 'request', errors });
          throw new GitHubError(422, `Invalid request.\n\n${errors.join('\n')}`);
        }
        const res = handler({ req, repository, body: (body ?? {}) as Record<string, unknown> });
        const responseErrors = res.status < 300 ? check.checkResponse(key, res.status, res.body) : [];
        if (responseErrors.length) violations.push({ operation: check.operationId(key), method, url, direction: 'response', errors: responseErrors });
        return res;
      } catch (e) {
        if (!(e instanceof GitHubError)) throw e;
        return { status: e.status, headers: e.extra.headers, body: { message: e.message, ...(e.extra.errors ? { errors: e.extra.errors } : {}), documentation_url: `${DOCS}/${check.operationId(key)}`, status: String(e.status) } };
      }
    });
  };

  const deploymentBody = (d: DeploymentRecord) => ({
    url: `${repoUrl(d.repository)}/deployments/${d.id}`, id: d.id, node_id: `DE_${d.id}`, sha: d.sha, ref: d.ref, task: d.task, payload: d.payload,
    original_environment: d.original_environment, environment: d.environment, description: d.description, creator: simpleUser(api, ACTIONS_BOT),
    created_at: d.created_at, updated_at: d.updated_at, statuses_url: `${repoUrl(d.repository)}/deployments/${d.id}/statuses`, repository_url: repoUrl(d.repository),
    transient_environment: d.transient_environment, production_environment: d.production_environment,
  });
  const commentBody = (c: CommentRecord) => ({
    id: c.id, node_id: `IC_${c.id}`, url: `${repoUrl(c.repository)}/issues/comments/${c.id}`, body: c.body,
    html_url: `${SERVER}/${c.repository}/pull/${c.issue}#issuecomment-${c.id}`, user: simpleUser(api, c.user),
    created_at: c.created_at, updated_at: c.updated_at, issue_url: `${repoUrl(c.repository)}/issues/${c.issue}`, author_association: 'NONE',
  });

  operation('POST', '/repos/{owner}/{repo}/deployments', { scopes: ['deployments'], level: 'write' }, ({ repository, body }) => {
    // Without required_contexts: [] GitHub first verifies every status context of the ref; during a
    // workflow run the run's own checks are still pending, so the deployment is refused.
    const contexts = body.required_contexts as string[] | undefined;
    if (contexts === undefined || contexts.length > 0) {
      const pending = [{ context: 'deploy', state: 'pending' }];
      throw new GitHubError(409, `Conflict: Commit status checks failed for ${String(body.ref)}.`, { errors: [{ contexts: pending, resource: 'Deployment', field: 'required_contexts', code: 'invalid' }] });
    }
    const environment = (body.environment as string | undefined) ?? 'production';
    const now = new Date().toISOString();
    const ref = String(body.ref);
    const d: DeploymentRecord = {
      id: state.id(), repository, ref, sha: /^[0-9a-f]{40}$/.test(ref) ? ref : '0'.repeat(40), task: (body.task as string | undefined) ?? 'deploy',
      payload: (body.payload as Record<string, unknown> | string | undefined) ?? {}, original_environment: environment, environment,
      description: (body.description as string | null | undefined) ?? null, transient_environment: body.transient_environment === true,
      production_environment: (body.production_environment as boolean | undefined) ?? environment === 'production', created_at: now, updated_at: now, statuses: [],
    };
    state.deployments.push(d);
    ctx.log(`github-api: deployment ${d.id} of ${ref.slice(0, 12)} to '${environment}' in ${repository}`);
    return { status: 201, body: deploymentBody(d) };
  });

  operation('POST', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { scopes: ['deployments'], level: 'write' }, ({ req, repository, body }) => {
    const d = state.deployments.find((x) => x.id === Number(req.params.deployment_id) && x.repository === repository);
    if (!d) throw new GitHubError(404, 'Not Found');
    const description = (body.description as string | undefined) ?? '';
    // The description's limit is in the operation's text, not its schema.
    if (description.length > 140) throw new GitHubError(422, 'Validation Failed: description is too long (maximum is 140 characters)');
    const logUrl = (body.log_url as string | undefined) ?? (body.target_url as string | undefined) ?? '';
    const now = new Date().toISOString();
    const s = {
      id: state.id(), state: String(body.state), description, environment: (body.environment as string | undefined) ?? d.environment,
      target_url: logUrl, log_url: logUrl, environment_url: (body.environment_url as string | undefined) ?? '', created_at: now,
    };
    d.statuses.push(s);
    d.environment = s.environment;
    d.updated_at = now;
    if (s.state === 'success' && body.auto_inactive !== false) {
      for (const other of state.deployments) {
        const last = other.statuses[other.statuses.length - 1];
        if (other !== d && other.repository === repository && other.environment === d.environment && !other.transient_environment && last?.state === 'success') {
          other.statuses.push({ ...last, id: state.id(), state: 'inactive', created_at: now });
        }
      }
    }
    ctx.log(`github-api: deployment ${d.id} ${s.state}${s.environment_url ? ` (${s.environment_url})` : ''}`);
    const deploymentUrl = `${repoUrl(repository)}/deployments/${d.id}`;
    return {
      status: 201,
      body: {
        url: `${deploymentUrl}/statuses/${s.id}`, id: s.id, node_id: `DES_${s.id}`, state: s.state, creator: simpleUser(api, ACTIONS_BOT), description: s.description,
        environment: s.environment, target_url: s.target_url, created_at: now, updated_at: now, deployment_url: deploymentUrl, repository_url: repoUrl(repository),
        // Optional `format: uri` fields: absent, not '', when unset.
        ...(s.environment_url ? { environment_url: s.environment_url } : {}), ...(s.log_url ? { log_url: s.log_url } : {}),
      },
    };
  });

  operation('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { scopes: ['issues', 'pull-requests'], level: 'read' }, ({ req, repository }) => {
    const issue = Number(req.params.issue_number);
    const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
    const page = Number(req.query.get('page') ?? 1);
    const all = state.comments.filter((c) => c.repository === repository && c.issue === issue);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    // Octokit's paginate follows rel="next" (GitHub's Link header pagination).
    if (page * perPage < all.length) headers.link = `<${api}${req.path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    return { status: 200, headers, body: slice.map(commentBody) };
  });

  operation('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { scopes: ['issues', 'pull-requests'], level: 'write' }, ({ req, repository, body }) => {
    const now = new Date().toISOString();
    const c: CommentRecord = { id: state.id(), repository, issue: Number(req.params.issue_number), body: String(body.body), user: ACTIONS_BOT, created_at: now, updated_at: now };
    state.comments.push(c);
    ctx.log(`github-api: comment ${c.id} on #${c.issue} in ${repository}`);
    return { status: 201, headers: { location: `${repoUrl(repository)}/issues/comments/${c.id}` }, body: commentBody(c) };
  });

  operation('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', { scopes: ['issues', 'pull-requests'], level: 'write' }, ({ req, repository, body }) => {
    const c = state.comments.find((x) => x.id === Number(req.params.comment_id) && x.repository === repository);
    if (!c) throw new GitHubError(404, 'Not Found');
    c.body = String(body.body);
    c.updated_at = new Date().toISOString();
    ctx.log(`github-api: comment ${c.id} on #${c.issue} updated`);
    return { status: 200, body: commentBody(c) };
  });

  router.route('POST', '/_testbed/github-api/token', (req) => {
    const repository = (req.json() as { repository?: unknown }).repository;
    if (typeof repository !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(repository)) return { status: 400, body: { error: { code: 'BadRequest', message: 'Expected { repository: "owner/name" }.' } } };
    return { status: 200, body: { token: state.issueToken(repository), apiUrl: api } };
  });
  router.route('POST', '/_testbed/github-api/permissions', (req) => {
    const body = req.json() as Record<string, unknown>;
    for (const [scope, level] of Object.entries(body)) {
      if (!(PERMISSION_SCOPES as readonly string[]).includes(scope) || !['write', 'read', 'none'].includes(String(level))) {
        return { status: 400, body: { error: { code: 'BadRequest', message: `Expected { ${PERMISSION_SCOPES.join('?, ')}?: 'write' | 'read' | 'none' }; got ${scope}: ${String(level)}.` } } };
      }
      state.permissions[scope as PermissionScope] = level as Permission;
    }
    return { status: 200, body: state.permissions };
  });
  router.route('GET', '/_testbed/github-api/deployments', () => ({ status: 200, body: state.deployments }));
  router.route('GET', '/_testbed/github-api/comments', () => ({ status: 200, body: state.comments }));
  router.route('POST', '/_testbed/github-api/comments', (req) => {
    const b = req.json() as { repository?: string; issue?: number; body?: string; user?: string };
    if (typeof b.repository !== 'string' || !Number.isInteger(b.issue) || typeof b.body !== 'string') return { status: 400, body: { error: { code: 'BadRequest', message: 'Expected { repository, issue, body, user? }.' } } };
    const now = new Date().toISOString();
    const c: CommentRecord = { id: state.id(), repository: b.repository, issue: b.issue!, body: b.body, user: b.user ?? 'octocat', created_at: now, updated_at: now };
    state.comments.push(c);
    return { status: 200, body: c };
  });
  router.route('GET', '/_testbed/github-api/violations', () => ({ status: 200, body: violations }));
  router.route('POST', '/_testbed/github-api/reset', () => {
    state.reset();
    violations.length = 0;
    return { status: 204 };
  });
  ctx.log(`github-api: GitHub REST emulator at ${api}/repos/... (checked against ${check.source})`);
}

function allows(has: Permission, needs: 'read' | 'write'): boolean {
  return has === 'write' || (needs === 'read' && has === 'read');
}
