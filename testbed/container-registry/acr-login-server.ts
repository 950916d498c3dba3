/**
 * The ACR login server: a second HTTPS server with the token endpoints and /v2/ proxied (streaming)
 * to Debian's docker-registry after checking the caller's ACR access token or Basic refresh token.
 * Unauthenticated calls get ACR's 401 challenge so docker and dockerd do the token dance.
 */
import * as http from 'http';
import { FaultScript, hasRawBody, isStatusFault, writeRawFault } from '../server/faults';
import { encodeBody, flattenHeaders, readBody } from '../server/https-server';
import { RequestLog, redactBody, redactHeaders } from '../server/request-log';
import type { TestbedResponse } from '../server/router';
import { AcrOAuth, acrError, basicCredentials } from './acr-oauth';
import { ACR_TOKEN_USERNAME, AcrTokenService, allows } from './acr-tokens';

export interface AcrLoginServerOptions {
  tokens: AcrTokenService;
  oauth: AcrOAuth;
  /** http://127.0.0.1:PORT of docker-registry. */
  backendUrl: string;
  faults: FaultScript;
  requestLog: RequestLog;
  log(message: string): void;
}

/** What a /v2/ path needs: the base check, the catalog, or an action on a repository. */
export function requiredAccess(method: string, path: string): { type: string; name: string; action: string } | undefined {
  if (path === '/v2/' || path === '/v2') return undefined;
  if (path.startsWith('/v2/_catalog')) return { type: 'registry', name: 'catalog', action: '*' };
  const match = /^\/v2\/(.+?)\/(tags|manifests|blobs|referrers)(\/|$)/.exec(path);
  const name = match ? match[1] : path.slice('/v2/'.length);
  const action = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
  return { type: 'repository', name, action };
}

function challenge(loginServer: string, need: ReturnType<typeof requiredAccess>, insufficient: boolean): string {
  let value = `Bearer realm="https://${loginServer}/oauth2/token",service="${loginServer}"`;
  if (need) {
    const actions = need.action === 'push' ? 'pull,push' : need.action;
    value += `,scope="${need.type}:${need.name}:${actions}"`;
  }
  if (insufficient) value += ',error="insufficient_scope"';
  return value;
}

/** undefined when allowed, else the 401 to send. */
export function authorizeRegistryCall(tokens: AcrTokenService, method: string, path: string, authorization: string | undefined): TestbedResponse | undefined {
  const need = requiredAccess(method, path);
  const deny = (insufficient: boolean) =>
    acrError(401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.', {
      'www-authenticate': challenge(tokens.loginServer, need, insufficient),
      'docker-distribution-api-version': 'registry/2.0',
    });
  const basic = basicCredentials(authorization);
  if (basic) {
    // `docker login -u 00000000-0000-0000-0000-000000000000 -p <refresh token>` credentials carry full rights.
    return basic.username === ACR_TOKEN_USERNAME && tokens.verify(basic.password, 'refresh') ? undefined : deny(false);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const claims = bearer ? tokens.verify(bearer, 'access') : undefined;
  if (!claims) return deny(false);
  if (need && !allows(claims, need.type, need.name, need.action)) return deny(true);
  return undefined;
}

/** The request listener of the ACR login server (attached once the server's port, hence its name, is known). */
export function acrLoginServerHandler(options: AcrLoginServerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    void handle(options, req, res).catch((error) => {
      options.log(`ACR login server failed on ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

async function handle(options: AcrLoginServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const headers = flattenHeaders(req.headers);
  const record = (status: number, requestBody?: Buffer, responseBody?: Buffer, fault?: string) =>
    options.requestLog.add({
      server: 'registry', method, url: `${url.pathname}${url.search}`, status, durationMs: Date.now() - started,
      requestHeaders: redactHeaders(headers), requestBody: redactBody(requestBody, headers['content-type']),
      responseBody: redactBody(responseBody, 'application/json'), fault,
    });
  const send = (response: TestbedResponse, requestBody?: Buffer, fault?: string) => {
    const encoded = encodeBody(response);
    record(response.status, requestBody, encoded.body, fault);
    if (!fault) options.requestLog.noteIssued('registry', `${url.pathname}${url.search}`, headers['user-agent'] ?? '', encoded.body, 'application/json');
    res.writeHead(response.status, { ...encoded.headers, 'content-length': String(encoded.body.length) });
    res.end(encoded.body);
  };

  const taken = options.faults.take(method, url.pathname);
  if (taken && !(await options.faults.holdFor(taken, req.socket, method, url.pathname))) {
    record(0, undefined, undefined, 'held until the connection closed');
    return;
  }
  const fault = taken && ('drop' in taken || isStatusFault(taken)) ? taken : undefined;
  if (fault && 'drop' in fault) {
    record(0, undefined, undefined, 'dropped connection');
    req.socket.destroy();
    return;
  }
  if (fault && hasRawBody(fault)) {
    const size = await writeRawFault(res, fault, {});
    record(fault.status, undefined, Buffer.from(`<${size} bytes>`), `raw status ${fault.status}`);
    return;
  }
  if (fault) {
    const faultHeaders: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
    send({ status: fault.status, headers: { ...faultHeaders, ...(fault.headers ?? {}) }, body: fault.body ?? { errors: [{ code: 'TOOMANYREQUESTS', message: 'scripted fault' }] } }, undefined, `status ${fault.status}`);
    return;
  }

  if (url.pathname === '/oauth2/exchange' && method === 'POST') {
    const body = await readBody(req);
    send(options.oauth.exchange(new URLSearchParams(body.toString('utf8'))), body);
    return;
  }
  if (url.pathname === '/oauth2/token' && (method === 'POST' || method === 'GET')) {
    const body = await readBody(req);
    const response = method === 'POST'
      ? options.oauth.tokenFromForm(new URLSearchParams(body.toString('utf8')))
      : options.oauth.tokenFromBasic(url.searchParams, headers.authorization);
    send(response, body);
    return;
  }
  if (!url.pathname.startsWith('/v2')) {
    send(acrError(404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`));
    return;
  }
  const denied = authorizeRegistryCall(options.tokens, method, url.pathname, headers.authorization);
  if (denied) {
    req.resume();
    send(denied);
    return;
  }
  proxy(options, req, res, (status) => record(status));
}

/** Streams the call to docker-registry and back; blobs can be large, so nothing is buffered. */
function proxy(options: AcrLoginServerOptions, req: http.IncomingMessage, res: http.ServerResponse, done: (status: number) => void): void {
  const backend = new URL(options.backendUrl);
  const headers = { ...req.headers, host: options.tokens.loginServer, 'x-forwarded-proto': 'https' };
  delete headers.authorization;
  const upstream = http.request(
    { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
      upstreamRes.on('end', () => done(upstreamRes.statusCode ?? 502));
    },
  );
  upstream.on('error', (error) => {
    options.log(`docker-registry proxy error on ${req.method} ${req.url}: ${String(error)}`);
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `registry backend unreachable: ${error.message}` }] }));
    } else {
      res.destroy();
    }
    done(502);
  });
  req.pipe(upstream);
}
