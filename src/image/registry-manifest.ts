/** Asks the registry whether a tag exists, and its digest, through the Docker Registry HTTP API v2. */
import { limitedFetch } from '../azure/call-limits';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export async function manifestDigest(loginServer: string, repository: string, tag: string, accessToken: string): Promise<string | undefined> {
  const { res } = await limitedFetch(`https://${loginServer}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES, authorization: `Bearer ${accessToken}` },
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`HEAD /v2/${repository}/manifests/${tag} on ${loginServer} returned ${res.status}`);
  const digest = res.headers.get('docker-content-digest');
  if (!digest) throw new Error(`the registry ${loginServer} returned no Docker-Content-Digest for ${repository}:${tag}`);
  return digest;
}
