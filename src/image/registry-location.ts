/**
 * Which registry the image goes to, and where its ARM resource lives: the workspace's registry by its
 * full id (any resource group or subscription), or the `container-registry` input (a full id, or a
 * name looked up in the workspace's resource group). Pure: main.ts does the lookup.
 */
import { parseRegistryId, registryIdOf, sameRegistry, type RegistryResourceId } from '../azure/registry-resource-id';
import { UserInputError } from '../errors';

export interface RegistryChoice {
  registry: RegistryResourceId;
  /** Set when the registry is not the workspace's: the endpoint's identity needs AcrPull on it. */
  warning?: string;
}

export function chooseRegistry(args: {
  /** The parsed `container-registry` input. */
  input?: { name: string; id?: RegistryResourceId };
  /** The workspace's `containerRegistry` property (a full ARM id), when it has one. */
  workspaceRegistryId?: string;
  workspace: { subscriptionId: string; resourceGroup: string };
}): RegistryChoice {
  const own = args.workspaceRegistryId ? parseRegistryId(args.workspaceRegistryId) : undefined;
  const input = args.input;
  if (!input) {
    if (own) return { registry: own };
    throw new UserInputError(
      args.workspaceRegistryId
        ? `The workspace's container registry '${args.workspaceRegistryId}' is not a registry id; set input 'container-registry'.`
        : `The workspace has no container registry; set input 'container-registry' (a registry name or its full ARM id).`,
      { input: 'container-registry' },
    );
  }
  // A bare name that matches the workspace's registry means that registry, wherever it lives.
  const registry = input.id ?? (own && own.name.toLowerCase() === input.name.toLowerCase() ? own : { ...args.workspace, name: input.name });
  if (own && sameRegistry(own, registry)) return { registry: own };
  return {
    registry,
    warning:
      `container-registry '${registryIdOf(registry)}' is not the workspace's registry (${own ? registryIdOf(own) : 'none'}): ` +
      `the endpoint pulls the image with its own identity, which must be able to pull from it (AcrPull on that registry).`,
  };
}
