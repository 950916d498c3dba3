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

/** A secret the test bed handed out in a response: the action must mask it before anything can print it. */
export interface IssuedSecret {
  /** The response field that carried it (primaryKey, refresh_token, key, ...). */
  field: string;
  value: string;
  server: 'main' | 'registry';
  url: string;
  /** Who asked: the action, or dockerd (whose registry tokens never reach the action). */
  userAgent: string;
}

/** Entra's token endpoint: ARM access tokens stay inside the SDK's pipeline and are never masked by callers. */
const ENTRA_TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

/** The values of secret fields in a JSON or form response body (8 characters or more: never a placeholder). */
export function secretsInBody(body: Buffer | undefined, contentType: string | undefined): { field: string; value: string }[] {
  if (!body || body.length === 0 || body.length > MAX_BODY) return [];
  const text = body.toString('utf8');
  let parsed: unknown;
  if ((contentType ?? '').includes('x-www-form-urlencoded')) parsed = Object.fromEntries(new URLSearchParams(text));
  else {
    try {
      parsed = JSON.parse(text);
    } catch {
      return [];
    }
  }
  const found: { field: string; value: string }[] = [];
  const walk = (key: string, v: unknown): void => {
    if (typeof v === 'string') {
      if (key !== 'value' && key !== 'id_token' && SECRET_FIELDS.test(key) && v.length >= 8) found.push({ field: key, value: v });
    } else if (Array.isArray(v)) v.forEach((item) => walk('', item));
    else if (v && typeof v === 'object') for (const [k, item] of Object.entries(v)) walk(k, item);
  };
  walk('', parsed);
  return found;
}

export class RequestLog {
  private exchanges: RecordedExchange[] = [];
  private issued = new Map<string, IssuedSecret>();
  private nextId = 1;

  /** Records the secrets a response carried (GET /_testbed/issued-secrets). */
  noteIssued(server: 'main' | 'registry', url: string, userAgent: string, body: Buffer | undefined, contentType: string | undefined): void {
    if (ENTRA_TOKEN_PATH.test(url.split('?')[0])) return;
    for (const s of secretsInBody(body, contentType)) if (!this.issued.has(s.value)) this.issued.set(s.value, { ...s, server, url, userAgent });
  }

  issuedSecrets(): IssuedSecret[] {
    return [...this.issued.values()];
  }

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
    this.issued.clear();
  }
}
