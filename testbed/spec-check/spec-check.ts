/**
 * Checks every ARM exchange against the vendored official specs with oav's LiveValidator
 * (../shared/reference, see its README). The validator loads in the background at start; exchanges
 * queue until it is ready. Operations the specs do not describe (LRO status URLs) are skipped.
 */
import * as path from 'path';
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
  'specification/machinelearningservices/resource-manager/**/2022-10-01/*.json',
  'specification/containerregistry/resource-manager/**/2023-07-01/*.json',
];

interface ValidationResult {
  operationInfo?: { operationId?: string };
  errors: { code: string; message: string; pathsInPayload?: string[]; jsonPathsInPayload?: string[] }[];
  runtimeException?: { code: string; message: string };
}

interface LiveValidatorLike {
  initialize(): Promise<void>;
  validateLiveRequestResponse(pair: unknown): Promise<{ requestValidationResult: ValidationResult; responseValidationResult: ValidationResult }>;
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

export function toViolation(exchange: ArmExchange, direction: 'request' | 'response', result: ValidationResult): SpecViolation | undefined {
  if (isUnknownOperation(result)) return undefined;
  const errors = result.errors.map((e) => ({ code: e.code, message: e.message, path: e.jsonPathsInPayload?.[0] ?? e.pathsInPayload?.[0] ?? '' }));
  if (result.runtimeException) errors.push({ code: result.runtimeException.code, message: result.runtimeException.message, path: '' });
  if (errors.length === 0) return undefined;
  return { operation: result.operationInfo?.operationId ?? 'unknown', method: exchange.method, url: exchange.url, direction, errors };
}

export class SpecCheck {
  private readonly violationsList: SpecViolation[] = [];
  private queue: Promise<void>;
  private readonly ready: Promise<LiveValidatorLike>;

  constructor(referenceDir: string, private readonly log: (message: string) => void) {
    this.ready = this.load(referenceDir);
    this.queue = this.ready.then(() => undefined, () => undefined);
  }

  private async load(referenceDir: string): Promise<LiveValidatorLike> {
    const started = Date.now();
    // oav logs its own warnings through winston to the console; the test bed reports through its API instead.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const logging = require('oav/dist/lib/util/logging') as { log: { consoleLogLevel: string } };
    logging.log.consoleLogLevel = 'off';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LiveValidator } = require('oav') as { LiveValidator: new (options: unknown, logCallback?: unknown) => LiveValidatorLike };
    const validator = new LiveValidator(
      { directory: referenceDir, swaggerPathsPattern: SWAGGER_PATTERNS, excludedSwaggerPathsPattern: ['**/examples/**'], git: { shouldClone: false } },
      () => undefined,
    );
    await validator.initialize();
    this.log(`spec check ready in ${Date.now() - started} ms`);
    return validator;
  }

  /** Resolves when the validator has loaded (rejects if it could not). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  enqueue(exchange: ArmExchange): void {
    this.queue = this.queue.then(() => this.check(exchange)).catch((error) => this.log(`spec check failed for ${exchange.method} ${exchange.url}: ${String(error)}`));
  }

  private async check(exchange: ArmExchange): Promise<void> {
    const validator = await this.ready;
    const url = `https://management.azure.com${exchange.url}`;
    const result = await validator.validateLiveRequestResponse({
      liveRequest: { url, method: exchange.method, headers: { 'content-type': 'application/json', ...exchange.requestHeaders }, body: parseJson(exchange.requestBody) },
      liveResponse: { statusCode: String(exchange.status), headers: exchange.responseHeaders, body: parseJson(exchange.responseBody) },
    });
    for (const [direction, r] of [['request', result.requestValidationResult], ['response', result.responseValidationResult]] as const) {
      const violation = toViolation(exchange, direction, r);
      if (violation) {
        this.violationsList.push(violation);
        this.log(`spec violation (${direction}) ${exchange.method} ${exchange.url}: ${violation.errors.map((e) => `${e.code} ${e.path} ${e.message}`).join('; ')}`);
      }
    }
  }

  /** The violations so far, after every queued exchange has been checked. */
  async violations(): Promise<SpecViolation[]> {
    await this.ready;
    await this.queue;
    return [...this.violationsList];
  }

  async clear(): Promise<void> {
    await this.queue;
    this.violationsList.length = 0;
  }
}
