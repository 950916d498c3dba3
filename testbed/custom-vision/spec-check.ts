/**
 * Checks every Custom Vision exchange against the vendored Training API v3.3 spec with its own
 * oav LiveValidator (the shared spec check covers ARM only). The data-plane spec has no
 * api-version parameter, but oav finds operations by api-version, so the URL it is shown carries
 * api-version=3.3 (the spec's info.version); the client never sends one.
 */
import type { SpecViolation } from '../spec-check/spec-check';

export const TRAINING_SPEC = 'specification/cognitiveservices/data-plane/CustomVision/Training/stable/v3.3/Training.json';
const SPEC_API_VERSION = '3.3';

interface Issue {
  code: string;
  message: string;
  pathsInPayload?: string[];
  jsonPathsInPayload?: string[];
}
interface Result {
  operationInfo?: { operationId?: string };
  errors: Issue[];
  runtimeException?: { code: string; message: string };
}
interface Validator {
  initialize(): Promise<void>;
  validateLiveRequestResponse(pair: unknown): Promise<{ requestValidationResult: Result; responseValidationResult: Result }>;
}

export interface CvExchange {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  requestBody: Buffer;
  requestContentType?: string;
  status: number;
  responseBody: unknown;
}

export class CustomVisionSpecCheck {
  readonly violations: SpecViolation[] = [];
  private queue: Promise<void>;
  private readonly ready: Promise<Validator>;

  constructor(referenceDir: string, private readonly log: (message: string) => void) {
    this.ready = this.load(referenceDir);
    this.queue = this.ready.then(() => undefined, () => undefined);
  }

  private async load(referenceDir: string): Promise<Validator> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const logging = require('oav/dist/lib/util/logging') as { log: { consoleLogLevel: string } };
    logging.log.consoleLogLevel = 'off';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LiveValidator } = require('oav') as { LiveValidator: new (options: unknown, logCallback?: unknown) => Validator };
    const validator = new LiveValidator(
      { directory: referenceDir, swaggerPathsPattern: [TRAINING_SPEC], excludedSwaggerPathsPattern: ['**/examples/**'], git: { shouldClone: false } },
      () => undefined,
    );
    await validator.initialize();
    return validator;
  }

  enqueue(exchange: CvExchange): void {
    this.queue = this.queue.then(() => this.check(exchange)).catch((e: unknown) => this.log(`custom-vision spec check failed: ${String(e)}`));
  }

  /** Resolves when every exchange enqueued so far is checked. */
  async settled(): Promise<SpecViolation[]> {
    await this.queue;
    return this.violations;
  }

  private async check(x: CvExchange): Promise<void> {
    const validator = await this.ready;
    const url = new URL(x.url, 'https://127.0.0.1');
    url.searchParams.set('api-version', SPEC_API_VERSION);
    const hasBody = x.requestBody.length > 0;
    const result = await validator.validateLiveRequestResponse({
      liveRequest: {
        url: url.toString(),
        method: x.method.toLowerCase(),
        headers: hasBody ? { 'content-type': x.requestContentType ?? 'application/json' } : {},
        body: hasBody ? JSON.parse(x.requestBody.toString('utf8')) : undefined,
      },
      liveResponse: {
        statusCode: String(x.status),
        headers: x.responseBody === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        body: x.responseBody,
      },
    });
    for (const [direction, r] of [['request', result.requestValidationResult], ['response', result.responseValidationResult]] as const) {
      if (r.runtimeException?.code.startsWith('OPERATION_NOT_FOUND')) continue;
      const errors = r.errors.map((e) => ({ code: e.code, message: e.message, path: e.jsonPathsInPayload?.[0] ?? e.pathsInPayload?.[0] ?? '' }));
      if (r.runtimeException) errors.push({ code: r.runtimeException.code, message: r.runtimeException.message, path: '' });
      if (errors.length > 0) this.violations.push({ operation: r.operationInfo?.operationId ?? 'unknown', method: x.method, url: x.url, direction, errors });
    }
  }
}
