/**
 * Checks GitHub REST exchanges against GitHub's published OpenAPI description (the operations in
 * github-rest-operations.json, see extract-operations.ts), with ajv: path and query parameters
 * (coerced from strings, as a server reads them), the JSON request body, and the emulator's own
 * responses (so the emulator cannot drift from what GitHub answers).
 */
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: object;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

export interface ApiViolation {
  operation: string;
  method: string;
  url: string;
  direction: 'request' | 'response';
  errors: string[];
}

const FILE = path.join(__dirname, 'github-rest-operations.json');

export class GitHubOpenApiCheck {
  readonly source: string;
  private readonly operations: Record<string, Operation>;
  // OpenAPI 3.0 schemas: `nullable` is a keyword; formats ajv does not know are not checked.
  private readonly ajv = new Ajv({ nullable: true, allErrors: true, unknownFormats: 'ignore' });
  private readonly coercing = new Ajv({ nullable: true, allErrors: true, unknownFormats: 'ignore', coerceTypes: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(file = FILE) {
    // OpenAPI's integer formats (ajv 6 knows only JSON Schema's string formats).
    for (const a of [this.ajv, this.coercing]) {
      a.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
      a.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    }
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { source: string; operations: Record<string, Operation> };
    this.source = doc.source;
    this.operations = doc.operations;
  }

  /** `POST /repos/{owner}/{repo}/deployments` -> 'repos/create-deployment'. */
  operationId(key: string): string {
    return this.op(key).operationId;
  }

  checkRequest(key: string, req: { params: Record<string, string>; query: URLSearchParams; body?: unknown }): string[] {
    const op = this.op(key);
    const errors: string[] = [];
    for (const where of ['path', 'query'] as const) {
      const declared = (op.parameters ?? []).filter((p) => p.in === where);
      const values: Record<string, unknown> = {};
      if (where === 'path') Object.assign(values, req.params);
      else for (const [k, v] of req.query) values[k] = v;
      const unknown = Object.keys(values).filter((k) => !declared.some((p) => p.name === k));
      errors.push(...unknown.map((k) => `${where} parameter '${k}' is not in the operation`));
      const schema = { type: 'object', properties: Object.fromEntries(declared.map((p) => [p.name, p.schema])), required: declared.filter((p) => p.required).map((p) => p.name) };
      errors.push(...this.validate(`${key} ${where}`, schema, values, true).map((e) => `${where} parameters${e}`));
    }
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    if (bodySchema) {
      if (req.body === undefined) {
        if (op.requestBody?.required) errors.push('the request body is required');
      } else {
        errors.push(...this.validate(`${key} body`, bodySchema, req.body, false).map((e) => `body${e}`));
      }
    } else if (req.body !== undefined) {
      errors.push('the operation takes no request body');
    }
    return errors;
  }

  checkResponse(key: string, status: number, body: unknown): string[] {
    const response = this.op(key).responses[String(status)];
    if (!response) return [`status ${status} is not a documented response`];
    const schema = response.content?.['application/json']?.schema;
    return schema ? this.validate(`${key} ${status}`, schema, body, false).map((e) => `response${e}`) : [];
  }

  private op(key: string): Operation {
    const op = this.operations[key];
    if (!op) throw new Error(`${key} is not among the operations in ${FILE}`);
    return op;
  }

  private validate(cacheKey: string, schema: object, value: unknown, coerce: boolean): string[] {
    let v = this.cache.get(cacheKey);
    if (!v) {
      v = (coerce ? this.coercing : this.ajv).compile(schema);
      this.cache.set(cacheKey, v);
    }
    return v(value) ? [] : (v.errors ?? []).map((e) => `${e.dataPath} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`);
  }
}
