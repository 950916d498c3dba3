/**
 * Container registry ARM ids. A workspace's `containerRegistry` is a full id, often in another
 * resource group or subscription than the workspace, so the id (not just its last segment) says
 * where to look the registry up.
 */
import { UserInputError } from '../errors';

export interface RegistryResourceId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const REGISTRY_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)\/?$/i;
/** ACR names: 5-50 alphanumerics (Microsoft.ContainerRegistry naming rules). */
const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;

/** The parts of '/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/{name}', else undefined. */
export function parseRegistryId(id: string): RegistryResourceId | undefined {
  const m = REGISTRY_ID.exec(id.trim());
  return m ? { subscriptionId: m[1], resourceGroup: m[2], name: m[3] } : undefined;
}

export function registryIdOf(r: RegistryResourceId): string {
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.name}`;
}

/** ARM ids compare case-insensitively. */
export function sameRegistry(a: RegistryResourceId, b: RegistryResourceId): boolean {
  return registryIdOf(a).toLowerCase() === registryIdOf(b).toLowerCase();
}

/** The `container-registry` input: a registry name, or a full ARM id (for a registry anywhere the identity can read). */
export function parseRegistryInput(value: string, input = 'container-registry'): { name: string; id?: RegistryResourceId } {
  const v = value.trim();
  if (v.startsWith('/')) {
    const id = parseRegistryId(v);
    if (!id) {
      throw new UserInputError(
        `Input '${input}' is '${v}', which is not a container registry id; expected '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>' or a registry name.`,
        { input },
      );
    }
    return { name: id.name, id };
  }
  if (!REGISTRY_NAME.test(v)) {
    throw new UserInputError(`Input '${input}' is '${v}', which is not a registry name; expected 5-50 letters and digits (e.g. 'crdetector') or a full ARM id.`, { input });
  }
  return { name: v };
}
