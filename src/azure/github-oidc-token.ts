/**
 * The GitHub OIDC token, asked of the runner as @actions/core's getIDToken does (GET
 * ACTIONS_ID_TOKEN_REQUEST_URL&audience=..., bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, JSON { value }), but
 * bounded like every Azure call: a per-request timeout and the run's abort signal
 * (src/azure/call-limits.ts). One try: retryingOidc (credential.ts) retries transient answers, reading
 * the status from the message in @actions/core's form ("Failed to get ID Token. Error Code : 429").
 */
import { currentCallSignal, isAbortError, limitedFetch } from './call-limits';

export interface OidcRequestSettings {
  requestUrl?: string;
  requestToken?: string;
  /** Per-request timeout; default that of every other call. */
  timeoutMs?: number;
}

export async function requestGitHubOidcToken(settings: OidcRequestSettings, audience: string, mask: (s: string) => void): Promise<string> {
  if (!settings.requestUrl || !settings.requestToken) throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
  const url = `${settings.requestUrl}${audience ? `&audience=${encodeURIComponent(audience)}` : ''}`;
  let answer: { res: Response; text: string };
  try {
    answer = await limitedFetch(url, { headers: { authorization: `Bearer ${settings.requestToken}`, accept: 'application/json' } }, settings.timeoutMs);
  } catch (e) {
    if (isAbortError(e) || currentCallSignal()?.aborted) throw e;
    // No answer (refused, reset, per-request timeout): retried like @actions/core's "Error Code : undefined".
    throw new Error(`Failed to get ID Token. Error Code : undefined\n Error Message: ${(e as Error).message}`);
  }
  const { res, text } = answer;
  if (!res.ok) throw new Error(`Failed to get ID Token. Error Code : ${res.status}\n Error Message: ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
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
