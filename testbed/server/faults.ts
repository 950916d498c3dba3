/** Scripted faults (POST /_testbed/faults): the next matching requests get an error status or a dropped connection. */
import { TestbedHttpError } from './router';

export type FaultResponse = { status: number; retryAfter?: number; body?: unknown } | { drop: true };

export interface FaultSpec {
  match: { method?: string; pathRegex: string };
  /** How many matching requests the fault applies to; default 1. */
  times?: number;
  response: FaultResponse;
}

interface ActiveFault {
  method?: string;
  regex: RegExp;
  remaining: number;
  response: FaultResponse;
}

/** Validates a fault body from the control API; throws a 400 TestbedHttpError naming the bad field. */
export function parseFaultSpec(input: unknown): FaultSpec {
  const spec = input as Partial<FaultSpec> | undefined;
  if (!spec || typeof spec !== 'object' || !spec.match || typeof spec.match.pathRegex !== 'string') {
    throw new TestbedHttpError(400, 'InvalidFault', 'expected { match: { method?, pathRegex }, times?, response }');
  }
  try {
    new RegExp(spec.match.pathRegex);
  } catch (error) {
    throw new TestbedHttpError(400, 'InvalidFault', `match.pathRegex is not a regular expression: ${String(error)}`);
  }
  const response = spec.response as Record<string, unknown> | undefined;
  if (!response || (response.drop !== true && typeof response.status !== 'number')) {
    throw new TestbedHttpError(400, 'InvalidFault', 'response must be { status, retryAfter?, body? } or { drop: true }');
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new TestbedHttpError(400, 'InvalidFault', `times must be a positive integer, got ${String(spec.times)}`);
  }
  return spec as FaultSpec;
}

export class FaultScript {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({
      method: spec.match.method?.toUpperCase(),
      // Case-insensitive like ARM paths.
      regex: new RegExp(spec.match.pathRegex, 'i'),
      remaining: spec.times ?? 1,
      response: spec.response,
    });
  }

  clear(): void {
    this.faults = [];
  }

  /** The response of the first fault matching this request, consuming one of its uses. */
  take(method: string, path: string): FaultResponse | undefined {
    const fault = this.faults.find((f) => (!f.method || f.method === method) && f.regex.test(path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault.response;
  }
}

/** ARM-shaped default bodies for scripted statuses. */
export function defaultFaultBody(status: number): unknown {
  if (status === 429) return { error: { code: 'TooManyRequests', message: 'The request was throttled (scripted by the test bed).' } };
  return { error: { code: status >= 500 ? 'InternalServerError' : 'BadRequest', message: `Scripted fault with status ${status}.` } };
}
