// Long-running operations as Azure ML's front end (MFE) hands them out: an Azure-AsyncOperation
// status URL (`.../mfeOperationsStatus/{id}`) and a Location result URL (`.../mfeOperationResults/{id}`).
// See https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/async-api-reference.md
import { randomUUID } from 'crypto';
import { API_VERSION } from './arm-responses';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

export interface OperationError {
  code: string;
  message: string;
}

export interface Operation {
  id: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: OperationError;
  /** Body of the final Location GET (the updated resource for PATCH; none for DELETE). */
  result?: () => unknown;
}

export interface OperationStatusBody {
  id: string;
  name: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: OperationError;
}

export class OperationStore {
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly newId: () => string = randomUUID,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): Operation {
    const op: Operation = { id: this.newId(), status: 'InProgress', startTime: this.now().toISOString() };
    this.operations.set(op.id, op);
    return op;
  }

  get(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  /** Terminal states are final: a late completion of an operation that already ended is ignored. */
  succeed(id: string, result?: () => unknown): void {
    const op = this.operations.get(id);
    if (!op || op.status !== 'InProgress') return;
    op.status = 'Succeeded';
    op.endTime = this.now().toISOString();
    op.result = result;
  }

  fail(id: string, error: OperationError): void {
    const op = this.operations.get(id);
    if (!op || op.status !== 'InProgress') return;
    op.status = 'Failed';
    op.endTime = this.now().toISOString();
    op.error = error;
  }
}

export function statusBody(op: Operation): OperationStatusBody {
  return {
    id: op.id,
    name: op.id,
    status: op.status,
    startTime: op.startTime,
    ...(op.endTime ? { endTime: op.endTime } : {}),
    ...(op.error ? { error: op.error } : {}),
  };
}

export interface OperationUrls {
  /** For the Azure-AsyncOperation header (PUT 200/201). */
  status: string;
  /** For the Location header (PATCH/DELETE 202). */
  result: string;
}

export function operationUrls(armEndpoint: string, subscriptionId: string, location: string, id: string): OperationUrls {
  const base = `${armEndpoint.replace(/\/+$/, '')}/subscriptions/${subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${location}`;
  const query = `api-version=${API_VERSION}`;
  return {
    status: `${base}/mfeOperationsStatus/${id}?${query}&type=async`,
    result: `${base}/mfeOperationResults/${id}?${query}&type=location`,
  };
}

/** What a Location poll answers: 202 while running, 200 (+ result body) when done, the error when failed. */
export function locationPollOutcome(op: Operation): { status: number; body?: unknown } {
  if (op.status === 'InProgress') return { status: 202 };
  if (op.status === 'Failed') return { status: 400, body: { error: op.error } };
  const body = op.result?.();
  return body === undefined ? { status: 200 } : { status: 200, body };
}
