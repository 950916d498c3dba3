/**
 * An Azure SDK HttpClient that trusts the test bed's CA, for clients living in a process that was
 * started before the CA existed (NODE_EXTRA_CA_CERTS is only read at process start). Pass it as
 * `httpClient` to @azure/identity credentials, ARM clients and BlobServiceClient.
 */
import { HttpClient, createDefaultHttpClient } from '@azure/core-rest-pipeline';
import * as fs from 'fs';
import * as tls from 'tls';

export function trustingHttpClient(caFile: string): HttpClient {
  const inner = createDefaultHttpClient();
  // One settings object: the SDK caches an https.Agent per tlsSettings identity.
  const tlsSettings = { ca: [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')] };
  return {
    sendRequest(request) {
      request.tlsSettings ??= tlsSettings;
      return inner.sendRequest(request);
    },
  };
}
