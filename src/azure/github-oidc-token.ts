/**
 * The GitHub OIDC token, asked of the runner as @actions/core's getIDToken does (GET
 * ACTIONS_ID_TOKEN_REQUEST_URL&audience=..., bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, JSON { value }), but
 * bounded like every Azure call: a per-request timeout and the run's abort signal
 * (src/azure/call-limits.ts). 502/503/504 are retried, as @actions/http-client does.
 */
import { limitedFetch } from './call-limits';

export interface OidcRequestSettings {
  requestUrl?: string;
  requestToken?: string;
  /** Per-request timeout; default that of every other call. */
  timeoutMs?: number;
}

const RETRIED = new Set([502, 503, 504]);
const ATTEMPTS = 4;

export async function requestGitHubOidcToken(settings: OidcRequestSettings, audience: string, mask: (s: string) => void): Promise<string> {
  if (!settings.requestUrl || !settings.requestToken) throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
  const url = `${settings.requestUrl}${audience ? `&audience=${encodeURIComponent(audience)}` : ''}`;
  for (let attempt = 1; ; attempt++) {
    const { res, text } = await limitedFetch(url, { headers: { authorization: `Bearer ${settings.requestToken}`, accept: 'application/json' } }, settings.timeoutMs);
    if (res.ok) {
      let value: unknown;
      try {
        value = (JSON.parse(text) as { value?: unknown }).value;
      } catch {
        value = undefined;
      }
      if (typeof value !== 'string' || !value) throw new Error('Failed to get ID Token: the response has no token (value)');
      mask(value);
      return value;
    }
    if (!RETRIED.has(res.status) || attempt >= ATTEMPTS) throw new Error(`Failed to get ID Token: HTTP ${res.status}: ${text.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}
