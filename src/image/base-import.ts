/**
 * Brings the base image into the registry with ACR's importImage (ARM Registries_ImportImage,
 * 2023-07-01, a long-running operation): ACR copies the layers registry to registry, so none pass
 * through the runner. Once per base tag and registry: an existing target tag is left alone.
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { UserInputError } from '../errors';
import type { Log } from '../log';
import { MANIFEST_TYPES } from './manifest-media-types';
import type { RegistryHttp } from './registry-http';

export interface ImageReference {
  host: string;
  repository: string;
  /** A tag or a sha256 digest. */
  reference: string;
}

/** Docker's reference grammar, reduced: a first part with '.' or ':' (or localhost) is a host; docker.io otherwise. */
export function parseImageReference(ref: string): ImageReference {
  const text = ref.trim();
  let host = 'docker.io';
  let rest = text;
  const slash = text.indexOf('/');
  if (slash > 0 && /[.:]|^localhost$/.test(text.slice(0, slash))) {
    host = text.slice(0, slash);
    rest = text.slice(slash + 1);
  }
  let repository = rest;
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    repository = rest.slice(0, at);
    reference = rest.slice(at + 1);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      repository = rest.slice(0, colon);
      reference = rest.slice(colon + 1);
    }
  }
  if (host === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository)) {
    throw new UserInputError(`Input 'triton-base-image' is '${ref}'; expected an image reference like nvcr.io/nvidia/tritonserver:25.04-py3.`, { input: 'triton-base-image' });
  }
  return { host, repository, reference };
}

export interface RegistryArm {
  client: ContainerRegistryManagementClient;
  resourceGroup: string;
  name: string;
}

export interface ImportedBase {
  /** The base in this registry. */
  repository: string;
  reference: string;
  imported: boolean;
}

/**
 * importImage's status is read every second rather than the SDK's 2 s: a base whose layers the
 * registry's region already holds is copied in about a second, and a large one costs one ARM read a
 * second while it copies (far below ARM's read limit).
 */
const IMPORT_POLL_MS = 1000;

/** A tag for a digest reference: importImage needs a tag to find the copy again. */
function targetTagOf(base: ImageReference): string {
  return base.reference.startsWith('sha256:') ? base.reference.replace(':', '-').slice(0, 71) : base.reference;
}

export async function importBase(args: {
  base: string;
  http: RegistryHttp;
  arm?: RegistryArm;
  credentials?: { username: string; password: string };
  log: Log;
}): Promise<ImportedBase> {
  const base = parseImageReference(args.base);
  if (base.host.toLowerCase() === args.http.loginServer.toLowerCase()) return { repository: base.repository, reference: base.reference, imported: false };
  const target = { repository: base.repository, reference: targetTagOf(base) };
  const head = await args.http.call('HEAD', `/v2/${target.repository}/manifests/${target.reference}`, `repository:${target.repository}:pull`, { headers: { accept: MANIFEST_TYPES.join(', ') } });
  if (head.status === 200) {
    args.log.info(`  base ${args.base} is already in ${args.http.loginServer} as ${target.repository}:${target.reference}`);
    return { ...target, imported: false };
  }
  if (!args.arm) throw new Error(`importing ${args.base} needs the registry's ARM resource`);
  const { client, resourceGroup, name } = args.arm;
  args.log.info(`  importing ${args.base} into ${name} as ${target.repository}:${target.reference} (importImage: registry to registry)`);
  try {
    await client.registries.beginImportImageAndWait(resourceGroup, name, {
      source: {
        registryUri: base.host,
        sourceImage: `${base.repository}${base.reference.startsWith('sha256:') ? '@' : ':'}${base.reference}`,
        ...(args.credentials ? { credentials: args.credentials } : {}),
      },
      targetTags: [`${target.repository}:${target.reference}`],
      mode: 'NoForce',
    }, { updateIntervalInMs: IMPORT_POLL_MS });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/unauthori[sz]ed|authenticat|credential|denied|401|403/i.test(message)) {
      const input = args.credentials ? 'base-image-password' : 'base-image-username';
      throw new UserInputError(
        `importImage could not read ${args.base} from ${base.host}: ${message}. ` +
          (args.credentials
            ? `Check inputs 'base-image-username' and 'base-image-password' (for nvcr.io: user '$oauthtoken', password an NGC API key).`
            : `The base looks private: set inputs 'base-image-username' and 'base-image-password' (for nvcr.io: an NGC API key).`),
        { input },
      );
    }
    throw new Error(`importImage of ${args.base} into ${name} failed: ${message}`);
  }
  return { ...target, imported: true };
}
