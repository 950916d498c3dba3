/** Azure failures turned into messages that name the operation, Azure's error code and a hint. */
import { RestError } from '@azure/core-rest-pipeline';

export class AzureSignInError extends Error {
  override name = 'AzureSignInError';
}

export class AzureOperationError extends Error {
  override name = 'AzureOperationError';
  constructor(
    message: string,
    readonly operation: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const HINTS: Record<string, string> = {
  AuthorizationFailed: "give the identity a role on the workspace (e.g. 'AzureML Data Scientist') and 'AcrPush' on the registry",
  OutOfQuota: 'request GPU quota for this VM family in the region, or pick another instance-type',
  ResourceNotReady: 'the container did not become ready: see the inference server logs above (liveness/readiness probes, model load errors)',
  ImageNotFound: 'the image is not in the registry the workspace uses, or the workspace cannot pull it (AcrPull for its identity)',
  BadArgument: 'a setting was rejected: see the message',
  ResourceNotFound: 'check subscription-id, resource-group and workspace',
  ResourceGroupNotFound: 'check resource-group',
  SubscriptionNotFound: 'check subscription-id',
  // Blob storage, when the upload uses the identity (identity-based datastore, or its secrets refused).
  AuthorizationPermissionMismatch: "give the identity 'Storage Blob Data Contributor' on the workspace's storage account (the upload used the identity: the datastore stores no credentials or its secrets were refused)",
};

export function hintFor(code: string | undefined): string | undefined {
  return code ? HINTS[code] : undefined;
}

/** Wraps any error thrown by an SDK call: keeps Azure's code, adds the operation and a hint. */
export function azureError(operation: string, e: unknown): AzureOperationError {
  if (e instanceof AzureOperationError) return e;
  let code: string | undefined;
  let message: string;
  if (e instanceof RestError) {
    const body = (e.details ?? {}) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? e.code;
    message = body.error?.message ?? e.message;
    if (e.statusCode) message = `HTTP ${e.statusCode}: ${message}`;
  } else if (e instanceof Error) {
    const c = (e as { code?: unknown }).code;
    // The SDK's poller reports a failed LRO as "The long-running operation has failed. <Code>. <message>".
    const fromLro = /long-running operation has failed\.\s*([A-Za-z]+)\.\s*/.exec(e.message);
    code = typeof c === 'string' ? c : fromLro?.[1];
    message = fromLro ? e.message.slice(fromLro.index + fromLro[0].length) || e.message : e.message;
  } else {
    message = String(e);
  }
  const hint = hintFor(code);
  return new AzureOperationError(
    `${operation} failed${code ? ` (${code})` : ''}: ${message}${hint ? `\nHint: ${hint}.` : ''}`,
    operation,
    code,
  );
}
