/**
 * Every secret the test bed handed out (GET /_testbed/secrets), so a test can scan what the action left
 * behind for them: the fixed ones (client secret, training key, storage key, ...) and each one an answer
 * carried (access and refresh tokens, endpoint keys, datastore keys, GitHub OIDC tokens).
 */
const SECRET_FIELDS = /^(access_token|refresh_token|id_token|primaryKey|secondaryKey|key|key1|key2|accountKey|sasToken|token)$/i;
/** `value` is a secret only as a JWT (the GitHub OIDC answer); elsewhere it is ARM's list field or a tag. */
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
const MIN_LENGTH = 16;
/** Bounded: a long test bed run keeps the most recent ones. */
const MAX_SECRETS = 20_000;
const MAX_SCANNED_BODY = 256 * 1024;

export interface IssuedSecret {
  kind: string;
  value: string;
}

export class IssuedSecrets {
  private secrets = new Map<string, string>();

  add(kind: string, value: string | undefined): void {
    if (!value || value.length < 8 || this.secrets.has(value)) return;
    if (this.secrets.size >= MAX_SECRETS) this.secrets.delete(this.secrets.keys().next().value as string);
    this.secrets.set(value, kind);
  }

  /** Notes the secret-named string fields of a JSON answer. */
  noteAnswer(body: Buffer, contentType: string | undefined): void {
    if (body.length === 0 || body.length > MAX_SCANNED_BODY) return;
    const text = body.toString('utf8');
    if (!(contentType ?? '').includes('json') && !/^\s*[{[]/.test(text)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    this.walk(parsed, '');
  }

  private walk(value: unknown, key: string): void {
    if (typeof value === 'string') {
      if ((SECRET_FIELDS.test(key) || (key === 'value' && JWT.test(value))) && value.length >= MIN_LENGTH && !/\s/.test(value) && !/^https?:\/\//.test(value)) this.add(key, value);
      return;
    }
    if (Array.isArray(value)) for (const item of value) this.walk(item, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) this.walk(v, k);
  }

  list(): IssuedSecret[] {
    return [...this.secrets].map(([value, kind]) => ({ kind, value }));
  }
}
