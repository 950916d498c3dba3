// The "image pull" step of provisioning: does the environment's image exist in the workspace's
// registry? Asked of the docker-registry backend directly, as the Distribution spec defines:
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
import { MANIFEST_TYPES } from '../manifest-media-types';
import { parseImageReference } from './arm-ids';

const MANIFEST_ACCEPT = MANIFEST_TYPES.join(', ');

export interface RegistryView {
  /** Hosts that name the workspace registry: its login server and `<name>.azurecr.io`. */
  hosts: string[];
  /** Plain-HTTP URL of the registry backend (no auth). */
  backendUrl: string;
}

export type ImageCheck = { ok: true; digest?: string } | { ok: false; message: string };

export async function checkImageExists(image: string, registry: RegistryView): Promise<ImageCheck> {
  const ref = parseImageReference(image);
  if (!ref) return { ok: false, message: `Image reference '${image}' is not a valid Docker image reference.` };
  if (!registry.hosts.some((h) => h.toLowerCase() === ref.host.toLowerCase())) {
    return {
      ok: false,
      message:
        `Failed to pull image '${image}': registry '${ref.host}' is not reachable from the deployment ` +
        `(the test bed serves only the workspace's container registry ${registry.hosts.join(' / ')}).`,
    };
  }
  const url = `${registry.backendUrl.replace(/\/+$/, '')}/v2/${ref.repository}/manifests/${ref.reference}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  } catch (e) {
    return { ok: false, message: `Failed to pull image '${image}': the registry did not answer (${e instanceof Error ? e.message : String(e)}).` };
  }
  if (response.status === 200) return { ok: true, digest: response.headers.get('docker-content-digest') ?? undefined };
  return {
    ok: false,
    message:
      `Image '${image}' was not found in the container registry (manifest ${ref.repository}:${ref.reference} ` +
      `answered ${response.status}). Make sure the image was pushed and the workspace can pull it.`,
  };
}
