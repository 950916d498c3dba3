/**
 * The environment version that points Azure ML at the Triton image and its routes. Its version is a
 * hash of the image digest and routes, so the same image is registered once.
 */
import { createHash } from 'crypto';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { InferenceRoutes } from '../config/action-config';
import { environmentVersionId } from './arm-ids';

export interface EnvironmentResult {
  name: string;
  version: string;
  id: string;
  created: boolean;
}

/**
 * Routes are sent as the user gave them. The spec's Route.path pattern ([a-zA-Z0-9_]) rejects the
 * guides' scoring route '/', but the service accepts it (azureml-examples' Triton custom-container
 * sample sends it): the endpoint then forwards <scoring_uri><rest> to <rest> in the container.
 */
export function environmentVersionFor(imageWithDigest: string, routes: InferenceRoutes): string {
  return createHash('sha256').update(JSON.stringify([imageWithDigest, routes])).digest('hex').slice(0, 16);
}

export async function ensureEnvironmentVersion(
  clients: AzureClients,
  args: { name: string; image: string; routes: InferenceRoutes; tags: Record<string, string> },
): Promise<EnvironmentResult> {
  const { resourceGroup, name: ws } = clients.workspace;
  const version = environmentVersionFor(args.image, args.routes);
  const id = environmentVersionId(clients.workspace, args.name, version);
  try {
    await clients.ml.environmentVersions.get(resourceGroup, ws, args.name, version);
    return { name: args.name, version, id, created: false };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw azureError(`Reading environment '${args.name}' version ${version}`, e);
  }
  try {
    await clients.ml.environmentVersions.createOrUpdate(resourceGroup, ws, args.name, version, {
      properties: {
        image: args.image,
        osType: 'Linux',
        description: 'NVIDIA Triton Inference Server image built by aml-triton-deploy',
        tags: args.tags,
        inferenceConfig: {
          livenessRoute: args.routes.liveness,
          readinessRoute: args.routes.readiness,
          scoringRoute: args.routes.scoring,
        },
      },
    });
  } catch (e) {
    throw azureError(`Registering environment '${args.name}' version ${version}`, e);
  }
  return { name: args.name, version, id, created: true };
}
