/**
 * The test bed's router: handlers register ARM-style path patterns; the server (https-server.ts)
 * turns each incoming request into a TestbedRequest and renders the TestbedResponse.
 */

export interface TestbedRequest {
  /** Upper case. */
  method: string;
  /** Decoded path without query, e.g. /subscriptions/.../onlineEndpoints/ep1 */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, joined values. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** From the pattern. */
  params: Record<string, string>;
  /** JSON.parse(body); throws a 400 TestbedHttpError on bad JSON. */
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TestbedResponse {
  status: number;
  headers?: Record<string, string>;
  /** Buffer sent as is; anything else JSON-encoded with content-type application/json. */
  body?: unknown;
}

export type Handler = (req: TestbedRequest) => Promise<TestbedResponse> | TestbedResponse;

export interface Router {
  /**
   * pattern: '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:ws/onlineEndpoints/:name'
   * ':x' = one segment; '*x' = the rest (may contain '/'). Literal segments match case-insensitively (ARM does).
   */
  route(method: string, pattern: string, handler: Handler): void;
}

/** Rendered as an ARM error body `{ error: { code, message } }` with this status. */
export class TestbedHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TestbedHttpError';
  }
}

interface CompiledRoute {
  method: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a pattern into a regex; literal segments are matched case-insensitively. */
export function compilePattern(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const parts = pattern
    .split('/')
    .filter((segment, index) => index > 0 || segment !== '')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      if (segment.startsWith('*')) {
        names.push(segment.slice(1));
        return '(.*)';
      }
      return escapeRegex(segment);
    });
  return { regex: new RegExp(`^/${parts.join('/')}/?$`, 'i'), names };
}

/** Routes in registration order; the first match wins. */
export class RouteTable implements Router {
  private readonly routes: CompiledRoute[] = [];

  route(method: string, pattern: string, handler: Handler): void {
    const { regex, names } = compilePattern(pattern);
    this.routes.push({ method: method.toUpperCase(), regex, names, handler });
  }

  /** Undefined when no route matches; `methodNotAllowed` when the path matches with another method. */
  match(method: string, path: string): RouteMatch | 'methodNotAllowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method.toUpperCase() && route.method !== '*') {
        pathMatched = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = m[i + 1] ?? ''));
      return { handler: route.handler, params };
    }
    return pathMatched ? 'methodNotAllowed' : undefined;
  }
}
