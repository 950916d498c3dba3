/** Azure failures turned into messages that name the operation, Azure's error code and a hint. */
import { RestError } from '@azure/core-rest-pipeline';
import { hintFor, type HintContext } from './error-hints';

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

export { hintFor };

/** Wraps any error thrown by an SDK call: keeps Azure's code, adds the operation and a hint. */
export function azureError(operation: string, e: unknown, context?: HintContext): AzureOperationError {
  if (e instanceof AzureOperationError) return e;
  let code: string | undefined;
  let message: string;
  if (e instanceof RestError && e.code === 'PARSE_ERROR') {
    // The SDK's text quotes JSON.parse's SyntaxError and the start of the body: say what it means.
    code = 'PARSE_ERROR';
    message = `${e.statusCode ? `HTTP ${e.statusCode}: ` : ''}the answer is not valid JSON`;
  } else if (e instanceof TypeError) {
    // Thrown while reading an answer that lacks a field the SDK or this action relies on.
    const field = /\(reading '([^']+)'\)/.exec(e.message)?.[1];
    message = `the answer could not be read: ${field ? `it has no '${field}' where one is required` : 'a field is missing or of the wrong type'}`;
  } else if (e instanceof RestError) {
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
  const hint = hintFor(code, message, context);
  return new AzureOperationError(
    `${operation} failed${code ? ` (${code})` : ''}: ${message}${hint ? `\nHint: ${hint}.` : ''}`,
    operation,
    code,
  );
}
