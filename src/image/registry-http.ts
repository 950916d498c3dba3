/**
 * A small client of the registry's OCI distribution API for the registry build: repository-scoped
 * ACR access tokens, every call bounded (per-try timeout, the run's signal) and retried on a transient
 * answer or a dropped connection, a 401 answered once with a new token, and a count of every byte sent and received (request and status lines, headers,
 * bodies), which the summary reports. Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import { boundedFetch } from '../azure/call-limits';
import { DEFAULT_RETRY, fetchWithRetries, type RetryOptions } from '../transient-retry';
import { accessTokenFor, registryHint } from './acr-token-exchange';

export interface RegistryReply {
  status: number;
  headers: Headers;
  body: Buffer;
}

function headerBytes(headers: Headers | Record<string, string>): number {
  let n = 0;
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [k, v] of entries) n += k.length + v.length + 4;
  return n;
}

export class RegistryHttp {
  readonly bytes = { sent: 0, received: 0 };
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly loginServer: string,
    private readonly refreshToken: string,
    private readonly mask: (s: string) => void,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  /** fetch that counts what crosses the wire (HTTP/1.1 framing, approximately: lines + headers + body). */
  readonly countingFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = init?.body === undefined || init.body === null ? 0 : Buffer.byteLength(init.body as string | Uint8Array);
    this.bytes.sent += `${init?.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1\r\n`.length + headerBytes((init?.headers ?? {}) as Record<string, string>) + 2 + body;
    const res = await boundedFetch(input, init);
    const data = Buffer.from(await res.arrayBuffer());
    this.bytes.received += `HTTP/1.1 ${res.status} ${res.statusText}\r\n`.length + headerBytes(res.headers) + 2 + data.length;
    return new Response(res.status === 204 || res.status === 304 ? null : data, { status: res.status, statusText: res.statusText, headers: res.headers });
  };

  private async token(scope: string): Promise<string> {
    let token = this.tokens.get(scope);
    if (!token) {
      token = await accessTokenFor(this.loginServer, this.refreshToken, scope, { ...this.retry, fetch: this.countingFetch });
      this.mask(token);
      this.tokens.set(scope, token);
    }
    return token;
  }

  /**
   * path: /v2/... or an absolute/relative Location from an upload. scope: the token scope(s) it needs.
   * Every call here is safe to repeat (reads, mounts, a new upload session, a blob or manifest PUT
   * named by its digest or tag). A 401 means the access token lapsed or was revoked: one new token.
   */
  async call(method: string, path: string, scope: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RegistryReply> {
    const url = new URL(path, `https://${this.loginServer}`);
    const send = async () => {
      const headers = { ...options.headers, authorization: `Bearer ${await this.token(scope)}` };
      const res = await fetchWithRetries(`${method} ${url.pathname} on ${this.loginServer}`, registryHint(this.loginServer), url.toString(), { method, headers, body: options.body }, { ...this.retry, fetch: this.countingFetch });
      return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
    };
    const reply = await send();
    if (reply.status !== 401) return reply;
    this.tokens.delete(scope);
    return send();
  }

  async expect(method: string, path: string, scope: string, ok: number[], options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RegistryReply> {
    const reply = await this.call(method, path, scope, options);
    if (!ok.includes(reply.status)) {
      throw new Error(`${method} ${new URL(path, 'https://x').pathname} on ${this.loginServer} returned ${reply.status}: ${reply.body.toString('utf8').slice(0, 300)}`);
    }
    return reply;
  }
}
