// Entry point of the Microsoft.MachineLearningServices emulator (api-version 2022-10-01): one
// workspace seeded from the settings, its assets, online endpoints and deployments, the LRO
// operation URLs, the scoring front door and the /_testbed/ml control routes.
import { TestbedContext } from '../context';
import { Router, TestbedHttpError, TestbedRequest } from '../server/router';
import { WorkspaceScope } from './arm-ids';
import { normalizeEnvironmentVersion, normalizeModelVersion } from './asset-kinds';
import { registerAssetRoutes } from './asset-routes';
import { newSystemData, requireApiVersion } from './arm-responses';
import { registerControlRoutes } from './control-routes';
import { DEFAULT_DATASTORE_AUTH, registerDatastoreAuthControl } from './datastore-auth';
import { registerLroRoutes } from './lro-routes';
import { createMlRuntime } from './ml-runtime';
import { registerOnlineDeploymentRoutes } from './online-deployment-routes';
import { registerOnlineEndpointRoutes } from './online-endpoint-routes';
import { registerQuotaRoutes } from './quota-routes';
import { registerScoringRoutes } from './scoring-routes';
import { MlState } from './state';
import { LoadModelRepository, loadTestbedTriton } from './triton-runtime';
import { registerWorkspaceRoutes } from './workspace-routes';

const WORKSPACE_PATTERN = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:ws';

function same(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** ARM's own answers for a subscription, resource group or workspace that does not exist. */
export function requireScope(req: TestbedRequest, scope: WorkspaceScope): void {
  const { sub, rg, ws } = req.params;
  if (!same(sub, scope.subscriptionId)) throw new TestbedHttpError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  if (rg !== undefined && !same(rg, scope.resourceGroup)) throw new TestbedHttpError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
  if (ws !== undefined && !same(ws, scope.workspace)) {
    throw new TestbedHttpError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.MachineLearningServices/workspaces/${ws}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
}

export interface MachineLearningOptions {
  /** Replaces the Triton emulator (unit tests). */
  loadModelRepository?: LoadModelRepository;
}

export async function registerMachineLearning(router: Router, ctx: TestbedContext, options: MachineLearningOptions = {}): Promise<void> {
  const s = ctx.settings;
  const scope: WorkspaceScope = { subscriptionId: s.subscriptionId, resourceGroup: s.resourceGroup, workspace: s.workspace };
  const state = new MlState();
  const rt = createMlRuntime(ctx, scope, state, options.loadModelRepository ?? loadTestbedTriton);
  const guard = (req: TestbedRequest): void => {
    ctx.requireArmToken(req);
    requireApiVersion(req);
    requireScope(req, scope);
  };
  const createdAt = newSystemData({ name: s.clientId, type: 'Application' }, new Date(Date.now() - 24 * 3600 * 1000));

  registerLroRoutes(router, rt, guard);
  const datastoreAuth = { ...DEFAULT_DATASTORE_AUTH };
  registerWorkspaceRoutes(router, { ctx, scope, prefix: WORKSPACE_PATTERN, createdAt, datastoreAuth }, guard);
  registerDatastoreAuthControl(router, datastoreAuth);
  registerAssetRoutes(router, WORKSPACE_PATTERN, scope, { kind: 'models', label: 'Model', store: state.models, normalizeVersion: normalizeModelVersion(scope) }, guard);
  registerAssetRoutes(router, WORKSPACE_PATTERN, scope, { kind: 'environments', label: 'Environment', store: state.environments, normalizeVersion: normalizeEnvironmentVersion }, guard);
  registerOnlineEndpointRoutes(router, rt, WORKSPACE_PATTERN, guard);
  registerOnlineDeploymentRoutes(router, rt, WORKSPACE_PATTERN, guard);
  registerQuotaRoutes(router, rt, guard);
  registerScoringRoutes(router, rt);
  registerControlRoutes(router, rt);
  ctx.log(`machine-learning: workspace ${scope.workspace} (${s.location}) ready`);
}
