/**
 * Stands in for the runner's OIDC token service: GET {ACTIONS_ID_TOKEN_REQUEST_URL}&audience=X with
 * `Authorization: Bearer {ACTIONS_ID_TOKEN_REQUEST_TOKEN}` answers `{ value: <jwt> }`, the call
 * @actions/core getIDToken() makes. Tokens carry GitHub's issuer and the configured subject.
 */
import * as crypto from 'crypto';
import type { Router, TestbedResponse } from '../server/router';
import { JwtSigner, nowSeconds } from './jwt';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const DEFAULT_OIDC_AUDIENCE = 'api://AzureADTokenExchange';
export const OIDC_TOKEN_PATH = '/_github/actions/idtoken';

export class GitHubOidcIssuer {
  subject: string;
  tokenSeconds = 300;

  constructor(
    readonly signer: JwtSigner,
    readonly requestToken: string,
    subject: string,
  ) {
    this.subject = subject;
  }

  issue(audience: string): string {
    const now = nowSeconds();
    // Claims as in GitHub's docs ("Understanding the OIDC token"); repository etc. follow from the subject.
    const repository = /^repo:([^:]+)/.exec(this.subject)?.[1] ?? 'octo-org/octo-repo';
    const environment = /:environment:(.+)$/.exec(this.subject)?.[1];
    return this.signer.sign({
      jti: crypto.randomUUID(),
      sub: this.subject,
      aud: audience,
      iss: GITHUB_ISSUER,
      iat: now,
      nbf: now - 5,
      exp: now + this.tokenSeconds,
      repository,
      repository_owner: repository.split('/')[0],
      ref: /:ref:(.+)$/.exec(this.subject)?.[1] ?? 'refs/heads/main',
      // A job with `environment: NAME` gets the subject 'repo:OWNER/REPO:environment:NAME' and this claim.
      ...(environment ? { environment } : {}),
      event_name: 'push',
      runner_environment: 'github-hosted',
    });
  }

  register(router: Router): void {
    router.route('GET', OIDC_TOKEN_PATH, (req): TestbedResponse => {
      if (req.headers.authorization !== `Bearer ${this.requestToken}`) {
        return { status: 401, body: { message: 'Bad credentials: the ACTIONS_ID_TOKEN_REQUEST_TOKEN is not valid for this job.' } };
      }
      const audience = req.query.get('audience') ?? DEFAULT_OIDC_AUDIENCE;
      return { status: 200, body: { count: 1, value: this.issue(audience) } };
    });
  }
}
