/** Asks the registry whether a tag exists, and its digest, through the Docker Registry HTTP API v2. */
import { DEFAULT_RETRY, fetchWithRetries, type RetryOptions } from '../transient-retry';
import { registryHint } from './acr-token-exchange';
import { MANIFEST_TYPES } from './manifest-media-types';

const MANIFEST_ACCEPT = MANIFEST_TYPES.join(', ');

export async function manifestDigest(loginServer: string, repository: string, tag: string, accessToken: string, retry: RetryOptions = DEFAULT_RETRY): Promise<string | undefined> {
  const res = await fetchWithRetries(`HEAD /v2/${repository}/manifests/${tag} on ${loginServer}`, registryHint(loginServer), `https://${loginServer}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${accessToken}` },
  }, retry);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`HEAD /v2/${repository}/manifests/${tag} on ${loginServer} returned ${res.status}`);
  const digest = res.headers.get('docker-content-digest');
  if (!digest) throw new Error(`the registry ${loginServer} returned no Docker-Content-Digest for ${repository}:${tag}`);
  return digest;
}
