/** The test bed's GitHub API area on a plain loopback HTTP server, for tests of the action's GitHub calls. */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { TestbedContext } from '../../../testbed/context';
import { registerGitHubApi } from '../../../testbed/github-api/register';
import { encodeBody, flattenHeaders, makeRequest, readBody } from '../../../testbed/server/https-server';
import { RouteTable } from '../../../testbed/server/router';

export interface Emulator {
  apiUrl: string;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startGitHubApiEmulator(): Promise<Emulator> {
  const routes = new RouteTable();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request = makeRequest((req.method ?? 'GET').toUpperCase(), url, flattenHeaders(req.headers), await readBody(req), {});
    const match = routes.match(request.method, request.path);
    if (!match || match === 'methodNotAllowed') {
      res.writeHead(404).end();
      return;
    }
    request.params = match.params;
    const response = await match.handler(request);
    const encoded = encodeBody(response);
    res.writeHead(response.status, encoded.headers).end(encoded.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await registerGitHubApi(routes, { baseUrl: apiUrl, log: () => undefined } as unknown as TestbedContext);
  return {
    apiUrl,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${apiUrl}/_testbed/github-api${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
