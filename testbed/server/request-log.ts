/** Every exchange the test bed served, with secrets redacted, for GET /_testbed/requests. */

export interface RecordedExchange {
  id: number;
  time: string;
  server: 'main' | 'registry' | 'storage';
  method: string;
  url: string;
  /** 0 when the connection was dropped by a scripted fault. */
  status: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  responseBody?: unknown;
  fault?: string;
}

const SECRET_HEADERS = new Set(['authorization', 'training-key', 'prediction-key', 'ocp-apim-subscription-key', 'cookie', 'x-ms-authorization-auxiliary']);
const SECRET_FIELDS = /^(access_token|refresh_token|id_token|client_secret|client_assertion|password|key|key1|key2|primaryKey|secondaryKey|accountKey|sasToken|value)$/i;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
const MAX_BODY = 64 * 1024;

export function redactHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!SECRET_HEADERS.has(name)) out[name] = value;
    else if (name === 'authorization') out[name] = `${value.split(' ')[0]} <redacted>`;
    else out[name] = '<redacted>';
  }
  return out;
}

function redactValue(key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    if (JWT.test(value)) return '<redacted jwt>';
    if (SECRET_FIELDS.test(key) && !(key === 'value' && value.length < 20)) return '<redacted>';
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue('', item));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(k, v);
    return out;
  }
  return value;
}

/** Parses JSON or form bodies so they can be redacted field by field; binary and big bodies become a size note. */
export function redactBody(body: Buffer | undefined, contentType: string | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  if (body.length > MAX_BODY) return `<${body.length} bytes>`;
  const type = (contentType ?? '').toLowerCase();
  const text = body.toString('utf8');
  if (type.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return redactValue('', JSON.parse(text));
    } catch {
      /* not JSON after all */
    }
  }
  if (type.includes('x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    const out: Record<string, unknown> = {};
    for (const [k, v] of form) out[k] = redactValue(k, v);
    return out;
  }
  if (type.startsWith('text/') || type.includes('xml')) return text;
  return `<${body.length} bytes ${type || 'application/octet-stream'}>`;
}

export class RequestLog {
  private exchanges: RecordedExchange[] = [];
  private nextId = 1;

  add(exchange: Omit<RecordedExchange, 'id' | 'time'>): RecordedExchange {
    const recorded = { id: this.nextId++, time: new Date().toISOString(), ...exchange };
    this.exchanges.push(recorded);
    return recorded;
  }

  list(): RecordedExchange[] {
    return [...this.exchanges];
  }

  clear(): void {
    this.exchanges = [];
  }
}
