/**
 * Azure SDK clients that trust the test bed's CA, for code in a process started before the CA
 * existed (NODE_EXTRA_CA_CERTS is read only at process start). Processes started afterwards
 * (the action under test) should use NODE_EXTRA_CA_CERTS=<caFile> instead.
 */
import { HttpClient, createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { AnonymousCredential, Pipeline, StorageSharedKeyCredential, newPipeline } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import * as fs from 'fs';
import * as https from 'https';
import * as tls from 'tls';

function trustedCas(caFile: string): string[] {
  return [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')];
}

/** For @azure/identity credentials and ARM clients: pass as the `httpClient` option. */
export function trustingHttpClient(caFile: string): HttpClient {
  const inner = createDefaultHttpClient();
  // One settings object: the SDK caches an https.Agent per tlsSettings identity.
  const tlsSettings = { ca: trustedCas(caFile) };
  return {
    sendRequest(request) {
      request.tlsSettings ??= tlsSettings;
      return inner.sendRequest(request);
    },
  };
}

/**
 * For @azure/storage-blob, whose `httpClient` option is the older core-http shape: a pipeline with
 * a first policy that sets a trusting agent. Use as `new BlobServiceClient(url, pipeline)`.
 */
export function trustingStoragePipeline(caFile: string, credential?: StorageSharedKeyCredential | AnonymousCredential | TokenCredential): Pipeline {
  const agent = new https.Agent({ keepAlive: true, ca: trustedCas(caFile) });
  const pipeline = newPipeline(credential);
  pipeline.factories.unshift({
    create: (next) => ({
      sendRequest: (request) => {
        request.agent = agent;
        return next.sendRequest(request);
      },
    }),
  });
  return pipeline;
}

/**
 * Trusts the test bed's CA for every TLS connection this process opens without its own `ca` (what
 * NODE_EXTRA_CA_CERTS does at start), for running the action in process. Returns the undo.
 */
export function trustCaInThisProcess(caFile: string): () => void {
  const ca = fs.readFileSync(caFile, 'utf8');
  // tls.connect looks the function up on the module at each call; the typings call it read-only.
  // The module object itself (an `import *` is a getter-only copy).
  const mutable = process.getBuiltinModule('tls') as { createSecureContext: typeof tls.createSecureContext };
  const original = tls.createSecureContext;
  mutable.createSecureContext = (options?: tls.SecureContextOptions) => {
    const context = original(options);
    if (!options?.ca) context.context.addCACert(ca);
    return context;
  };
  return () => {
    mutable.createSecureContext = original;
  };
}
