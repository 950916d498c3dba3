/**
 * Checks every ARM exchange against the vendored official specs with oav's LiveValidator
 * (../shared/reference, see its README). The validator loads in the background at start; exchanges
 * queue until it is ready. Operations the specs do not describe (LRO status URLs) are skipped.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ACR_TASKS_API_VERSION, ML_API_VERSION, REGISTRY_API_VERSION } from '../api-versions';
import type { ArmExchange } from '../server/https-server';

export interface SpecViolation {
  operation: string;
  method: string;
  url: string;
  direction: 'request' | 'response';
  errors: { code: string; message: string; path: string }[];
}

/** The specs the test bed serves, relative to the reference directory. */
export const SWAGGER_PATTERNS = [
  `specification/machinelearningservices/resource-manager/**/${ML_API_VERSION}/*.json`,
  `specification/containerregistry/resource-manager/**/${REGISTRY_API_VERSION}/*.json`,
  // ACR Tasks (scheduleRun, runs, build source upload and log URLs).
  `specification/containerregistry/resource-manager/**/${ACR_TASKS_API_VERSION}/*.json`,
];

interface ValidationResult {
  operationInfo?: { operationId?: string };
  errors: { code: string; message: string; pathsInPayload?: string[]; jsonPathsInPayload?: string[] }[];
  runtimeException?: { code: string; message: string };
}

/** The reference folder next to the repository (../shared/reference). */
export function defaultReferenceDir(repoRoot: string): string {
  return path.resolve(repoRoot, '..', 'shared', 'reference');
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

/** "Not in the spec" is not a violation: the LRO status URLs and anything outside the loaded specs. */
function isUnknownOperation(result: ValidationResult): boolean {
  return result.runtimeException?.code.startsWith('OPERATION_NOT_FOUND') ?? false;
}

/**
 * Where the service accepts what its spec refuses: each exception lets through one error code and
 * message on one property, and names the source that shows the service accepting it. Listed in
 * testbed/README.md ("Where the service differs from its spec").
 */
export interface SpecException {
  code: string;
  message: string;
  /** Matches the JSON path of the property in the payload. */
  path: RegExp;
  source: string;
}

export const SPEC_EXCEPTIONS: readonly SpecException[] = [
  {
    // Route.path has "pattern": "[a-zA-Z0-9_]" (mfe.json 2022-10-01), yet az ml sends the Triton
    // custom-container sample's scoring_route path '/' and the deployment serves.
    code: 'PATTERN',
    message: 'String does not match pattern [a-zA-Z0-9_]: /',
    path: /\.properties\.inferenceConfig\.scoringRoute\.path$/,
    source: 'Azure/azureml-examples cli/endpoints/online/custom-container/triton/single-model/triton-cc-deployment.yml line 18 (scoring_route path: /), run by cli/deploy-custom-container-triton-single-model.sh',
  },
];

type OavError = ValidationResult['errors'][number];

/** The error without the payload paths an exception covers; undefined when none is left. */
export function withoutExceptions(e: OavError, exceptions: readonly SpecException[] = SPEC_EXCEPTIONS): OavError | undefined {
  const paths = e.jsonPathsInPayload ?? [];
  const excused = (p: string) => exceptions.some((x) => x.code === e.code && x.message === e.message && x.path.test(p));
  if (paths.length === 0 || !paths.some(excused)) return e;
  const kept = paths.map((p, i) => ({ p, i })).filter(({ p }) => !excused(p));
  if (kept.length === 0) return undefined;
  return { ...e, jsonPathsInPayload: kept.map(({ p }) => p), pathsInPayload: e.pathsInPayload ? kept.map(({ i }) => e.pathsInPayload![i]) : undefined };
}

export function toViolation(exchange: ArmExchange, direction: 'request' | 'response', result: ValidationResult): SpecViolation | undefined {
  if (isUnknownOperation(result)) return undefined;
  const errors = result.errors
    .map((e) => withoutExceptions(e))
    .filter((e): e is OavError => e !== undefined)
    .map((e) => ({ code: e.code, message: e.message, path: e.jsonPathsInPayload?.[0] ?? e.pathsInPayload?.[0] ?? '' }));
  if (result.runtimeException) errors.push({ code: result.runtimeException.code, message: result.runtimeException.message, path: '' });
  if (errors.length === 0) return undefined;
  return { operation: result.operationInfo?.operationId ?? 'unknown', method: exchange.method, url: exchange.url, direction, errors };
}

/**
 * oav runs in a worker thread: loading the specs takes seconds of CPU and each validation some
 * milliseconds, which would otherwise stall the servers on the main thread. Plain JS because a
 * worker cannot load TypeScript under every runner (tsx, ts-jest).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const logging = require(workerData.oavLogging);
logging.log.consoleLogLevel = 'off';
const { LiveValidator } = require(workerData.oav);
const validator = new LiveValidator(workerData.options, () => undefined);
const ready = validator.initialize();
ready.then(() => parentPort.postMessage({ ready: true }), (error) => parentPort.postMessage({ ready: false, error: String(error && error.stack || error) }));
parentPort.on('message', async ({ id, pair }) => {
  try {
    await ready;
    const r = await validator.validateLiveRequestResponse(pair);
    parentPort.postMessage({ id, result: { requestValidationResult: r.requestValidationResult, responseValidationResult: r.responseValidationResult } });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack || error) });
  }
});
`;

interface WorkerReply {
  id?: number;
  ready?: boolean;
  error?: string;
  result?: { requestValidationResult: ValidationResult; responseValidationResult: ValidationResult };
}

export class SpecCheck {
  private readonly violationsList: SpecViolation[] = [];
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, ArmExchange>();
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private nextId = 1;

  constructor(referenceDir: string, private readonly log: (message: string) => void) {
    const started = Date.now();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        oav: require.resolve('oav'),
        oavLogging: require.resolve('oav/dist/lib/util/logging'),
        options: { directory: referenceDir, swaggerPathsPattern: SWAGGER_PATTERNS, excludedSwaggerPathsPattern: ['**/examples/**'], git: { shouldClone: false } },
      },
    });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      const onReady = (reply: WorkerReply): void => {
        if (reply.ready === undefined) return;
        this.worker.off('message', onReady);
        if (reply.ready) {
          log(`spec check ready in ${Date.now() - started} ms`);
          resolve();
        } else {
          reject(new Error(`the spec check could not load ${referenceDir}: ${reply.error}`));
        }
      };
      this.worker.on('message', onReady);
      this.worker.once('error', reject);
    });
    this.ready.catch((error) => log(String(error)));
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
  }

  /** Resolves when the validator has loaded (rejects if it could not). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  enqueue(exchange: ArmExchange): void {
    const id = this.nextId++;
    this.pending.set(id, exchange);
    const pair = {
      liveRequest: {
        url: `https://management.azure.com${exchange.url}`, method: exchange.method,
        headers: { 'content-type': 'application/json', ...exchange.requestHeaders }, body: parseJson(exchange.requestBody),
      },
      liveResponse: { statusCode: String(exchange.status), headers: exchange.responseHeaders, body: parseJson(exchange.responseBody) },
    };
    this.worker.postMessage({ id, pair });
  }

  private onReply(reply: WorkerReply): void {
    if (reply.id === undefined) return;
    const exchange = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (exchange && reply.error) this.log(`spec check failed for ${exchange.method} ${exchange.url}: ${reply.error}`);
    if (exchange && reply.result) {
      for (const [direction, r] of [['request', reply.result.requestValidationResult], ['response', reply.result.responseValidationResult]] as const) {
        const violation = toViolation(exchange, direction, r);
        if (!violation) continue;
        this.violationsList.push(violation);
        this.log(`spec violation (${direction}) ${exchange.method} ${exchange.url}: ${violation.errors.map((e) => `${e.code} ${e.path} ${e.message}`).join('; ')}`);
      }
    }
    if (this.pending.size === 0 && this.idle) {
      this.idle.resolve();
      this.idle = undefined;
    }
  }

  private settled(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    if (!this.idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.idle = { promise, resolve };
    }
    return this.idle.promise;
  }

  /** The violations so far, after every queued exchange has been checked. */
  async violations(): Promise<SpecViolation[]> {
    await this.ready;
    await this.settled();
    return [...this.violationsList];
  }

  async clear(): Promise<void> {
    await this.settled();
    this.violationsList.length = 0;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
