/**
 * Scripted faults (POST /_testbed/faults): the next matching requests get an error status, a dropped
 * connection, or are held: for `delayMs` (then answered as usual) or, with `hang`, until the test bed
 * stops. GET /_testbed/faults/held lists the requests being held.
 */
import type * as net from 'net';
import { TestbedHttpError } from './router';

export type FaultResponse = { status: number; retryAfter?: number; body?: unknown } | { drop: true } | { hang: true } | { delayMs: number };

export interface HeldRequest {
  method: string;
  path: string;
  since: string;
}

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
  const delayed = typeof response?.delayMs === 'number' && Number.isFinite(response.delayMs) && response.delayMs >= 0;
  if (!response || (response.drop !== true && response.hang !== true && !delayed && typeof response.status !== 'number')) {
    throw new TestbedHttpError(400, 'InvalidFault', 'response must be { status, retryAfter?, body? }, { drop: true }, { hang: true } or { delayMs }');
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new TestbedHttpError(400, 'InvalidFault', `times must be a positive integer, got ${String(spec.times)}`);
  }
  return spec as FaultSpec;
}

export class FaultScript {
  private faults: ActiveFault[] = [];
  private readonly held = new Map<HeldRequest, () => void>();

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

  /**
   * Holds a request on `socket`: for `delayMs`, or (undefined) until the client gives up or the test
   * bed stops. Resolves true when the request should go on, false when its connection is gone.
   */
  hold(socket: net.Socket, method: string, path: string, delayMs?: number): Promise<boolean> {
    const entry: HeldRequest = { method, path, since: new Date().toISOString() };
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const end = (goOn: boolean) => {
        if (!this.held.has(entry)) return;
        this.held.delete(entry);
        if (timer) clearTimeout(timer);
        socket.off('close', closed);
        resolve(goOn);
      };
      const closed = () => end(false);
      this.held.set(entry, () => {
        end(false);
        socket.destroy();
      });
      socket.once('close', closed);
      if (delayMs !== undefined) timer = setTimeout(() => end(true), delayMs);
    });
  }

  /** The requests held right now. */
  heldRequests(): HeldRequest[] {
    return [...this.held.keys()];
  }

  /** Ends every held request (the test bed is stopping). */
  releaseAll(): void {
    for (const release of [...this.held.values()]) release();
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
