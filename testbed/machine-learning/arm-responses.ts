// What every Azure ML ARM handler shares: api-version check, caller identity for systemData, and
// ARM-shaped errors (`{ error: { code, message } }`, rendered by the server from TestbedHttpError).
import { ML_API_VERSION } from '../api-versions';
import { TestbedHttpError, TestbedRequest } from '../server/router';

export const API_VERSION = ML_API_VERSION;

/** ARM answers a missing or unsupported api-version with 400 before the provider sees the call. */
export function requireApiVersion(req: TestbedRequest): void {
  const version = req.query.get('api-version');
  if (version === null) {
    throw new TestbedHttpError(
      400,
      'MissingApiVersionParameter',
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (version !== API_VERSION) {
    throw new TestbedHttpError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions of this test bed's ` +
        `Microsoft.MachineLearningServices emulator are '${API_VERSION}'.`,
    );
  }
}

export type CreatedByType = 'User' | 'Application' | 'ManagedIdentity' | 'Key';

export interface SystemData {
  createdAt: string;
  createdBy: string;
  createdByType: CreatedByType;
  lastModifiedAt: string;
  lastModifiedBy: string;
  lastModifiedByType: CreatedByType;
}

export interface Caller {
  name: string;
  type: CreatedByType;
}

/**
 * Who made the call, from the (already verified) bearer token's claims: ARM records an app's
 * client id as `createdBy` with type Application, a person's UPN with type User.
 */
export function callerOf(req: TestbedRequest): Caller {
  const auth = req.headers.authorization ?? '';
  const token = auth.replace(/^Bearer\s+/i, '');
  const payload = token.split('.')[1];
  if (!payload) return { name: 'unknown', type: 'Application' };
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const user = claims.upn ?? claims.unique_name ?? claims.preferred_username;
    if (typeof user === 'string') return { name: user, type: 'User' };
    const app = claims.appid ?? claims.azp ?? claims.sub;
    return { name: typeof app === 'string' ? app : 'unknown', type: 'Application' };
  } catch {
    return { name: 'unknown', type: 'Application' };
  }
}

export function newSystemData(caller: Caller, now = new Date()): SystemData {
  const at = now.toISOString();
  return {
    createdAt: at,
    createdBy: caller.name,
    createdByType: caller.type,
    lastModifiedAt: at,
    lastModifiedBy: caller.name,
    lastModifiedByType: caller.type,
  };
}

export function touchSystemData(data: SystemData, caller: Caller, now = new Date()): SystemData {
  return { ...data, lastModifiedAt: now.toISOString(), lastModifiedBy: caller.name, lastModifiedByType: caller.type };
}

export function notFound(what: string, name: string, workspace: string): TestbedHttpError {
  return new TestbedHttpError(404, 'ResourceNotFound', `${what} '${name}' was not found in workspace '${workspace}'.`);
}

export function badArgument(message: string): TestbedHttpError {
  return new TestbedHttpError(400, 'BadArgument', message);
}

export function userError(status: number, message: string): TestbedHttpError {
  return new TestbedHttpError(status, 'UserError', message);
}

/** Reads a JSON object body; ARM rejects a missing or non-object body with 400. */
export function jsonObjectBody(req: TestbedRequest): Record<string, unknown> {
  if (req.body.length === 0) throw new TestbedHttpError(400, 'InvalidRequestContent', 'The request content was empty.');
  const body: unknown = req.json();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TestbedHttpError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badArgument(`${field} must be an object of strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw badArgument(`${field}.${k} must be a string, got ${JSON.stringify(v)}.`);
    out[k] = v;
  }
  return out;
}

export function objectOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
