/**
 * Scripted faults (POST /_testbed/faults): the next matching requests get an error status, a dropped
/**
 * Scripted faults (POST /_testbed/faults): the next matching requests get an error status, a dropped
 * connection, a hostile answer (a raw body, possibly repeated to a huge size, with any content type and
 * headers), or are held: for `delayMs` (then answered as usual, or with the fault's status when it has
 * one) or, with `hang`, until the client gives up or the test bed stops. GET /_testbed/faults/held
 * lists the requests being held.
 */
import type * as http from 'http';
import type * as net from 'net';
import { TestbedHttpError } from './router';

/** A late answer is held at most this long; the test bed's stop releases every held request at once. */
export const MAX_FAULT_DELAY_MS = 300_000;
/** A repeated raw body is streamed, never built whole: at most this many bytes. */
export const MAX_FAULT_BODY_BYTES = 2 * 1024 ** 3;

export interface StatusFault {
  status: number;
  retryAfter?: number;
  body?: unknown;
  /** The body as is (utf8), instead of JSON: malformed JSON, HTML, anything. */
  rawBody?: string;
  /** The body as base64 bytes (e.g. a zip). */
  rawBodyBase64?: string;
  /** Send the raw body this many times (streamed): an oversized answer from a small script. */
  repeat?: number;
  contentType?: string;
  headers?: Record<string, string>;
  /** Hold the request this long before answering with the status. */
  delayMs?: number;
}
export type FaultResponse = StatusFault | { drop: true; delayMs?: number } | { hang: true } | { delayMs: number };

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
  const delayOnly = response && typeof response.delayMs === 'number' && response.status === undefined && response.drop === undefined;
  if (!response || (response.drop !== true && response.hang !== true && typeof response.status !== 'number' && !delayOnly)) {
    throw new TestbedHttpError(400, 'InvalidFault', 'response must be { status, retryAfter?, body?, rawBody?, rawBodyBase64?, repeat?, contentType?, headers?, delayMs? }, { drop: true, delayMs? }, { hang: true } or { delayMs }');
  }
  if (response.delayMs !== undefined && (typeof response.delayMs !== 'number' || !Number.isFinite(response.delayMs) || response.delayMs < 0 || response.delayMs > MAX_FAULT_DELAY_MS)) {
    throw new TestbedHttpError(400, 'InvalidFault', `delayMs must be 0..${MAX_FAULT_DELAY_MS}, got ${String(response.delayMs)}`);
  }
  if (response.repeat !== undefined && (!Number.isInteger(response.repeat) || (response.repeat as number) < 1)) {
    throw new TestbedHttpError(400, 'InvalidFault', `repeat must be a positive integer, got ${String(response.repeat)}`);
  }
  if (rawBytes(response as unknown as StatusFault).length * ((response.repeat as number | undefined) ?? 1) > MAX_FAULT_BODY_BYTES) {
    throw new TestbedHttpError(400, 'InvalidFault', `the body may be at most ${MAX_FAULT_BODY_BYTES} bytes`);
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new TestbedHttpError(400, 'InvalidFault', `times must be a positive integer, got ${String(spec.times)}`);
  }
  return spec as FaultSpec;
}

function rawBytes(f: StatusFault): Buffer {
  if (f.rawBodyBase64 !== undefined) return Buffer.from(f.rawBodyBase64, 'base64');
  if (f.rawBody !== undefined) return Buffer.from(f.rawBody, 'utf8');
  return Buffer.alloc(0);
}

export const isStatusFault = (f: FaultResponse): f is StatusFault => typeof (f as StatusFault).status === 'number';
export const hasRawBody = (f: StatusFault): boolean => f.rawBody !== undefined || f.rawBodyBase64 !== undefined;

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

  /**
   * Holds a request as its fault says: `hang` until the client gives up or the test bed stops, `delayMs`
   * (alone or on a status or drop fault) for that long; any other fault goes on at once. Resolves false
   * when the connection is gone (nothing more is to be sent).
   */
  holdFor(fault: FaultResponse, socket: net.Socket, method: string, path: string): Promise<boolean> {
    if ('hang' in fault) return this.hold(socket, method, path);
    const delayMs = 'delayMs' in fault ? fault.delayMs : undefined;
    if (delayMs === undefined || delayMs <= 0) return Promise.resolve(true);
    return this.hold(socket, method, path, delayMs);
  }
}

/** Writes a status fault whose body is raw (repeated and streamed with back-pressure when `repeat` is set). */
export async function writeRawFault(res: http.ServerResponse, fault: StatusFault, headers: Record<string, string>): Promise<number> {
  const chunk = rawBytes(fault);
  const repeat = fault.repeat ?? 1;
  const total = chunk.length * repeat;
  res.writeHead(fault.status, { ...headers, 'content-type': fault.contentType ?? 'application/json', 'content-length': String(total), ...(fault.headers ?? {}) });
  // Batches of copies, so a 1-byte chunk repeated a billion times is not a billion writes.
  const batch = Buffer.concat(Array.from({ length: Math.max(1, Math.min(repeat, Math.floor((1 << 20) / Math.max(1, chunk.length)))) }, () => chunk));
  const perBatch = batch.length / Math.max(1, chunk.length);
  for (let sent = 0; sent < repeat && !res.destroyed; ) {
    const n = Math.min(perBatch, repeat - sent);
    const piece = n === perBatch ? batch : batch.subarray(0, n * chunk.length);
    sent += n;
    if (!res.write(piece)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
  }
  res.end();
  return total;
}

/** ARM-shaped default bodies for scripted statuses. */
export function defaultFaultBody(status: number): unknown {
  if (status === 429) return { error: { code: 'TooManyRequests', message: 'The request was throttled (scripted by the test bed).' } };
  return { error: { code: status >= 500 ? 'InternalServerError' : 'BadRequest', message: `Scripted fault with status ${status}.` } };
}
