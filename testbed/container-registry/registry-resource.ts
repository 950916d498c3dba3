/**
 * ARM Microsoft.ContainerRegistry/registries (spec 2023-07-01): GET of the one registry and the
 * resource group's list, shaped like the spec's RegistryGet example; loginServer is the local ACR front.
 */
import { REGISTRY_API_VERSION } from '../api-versions';
import type { TestbedContext } from '../context';
import type { Router, TestbedRequest } from '../server/router';
import { TestbedHttpError } from '../server/router';

export const REGISTRY_API_VERSIONS = [REGISTRY_API_VERSION];
const PROVIDER_PATH = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ContainerRegistry/registries';

export function registryResource(ctx: TestbedContext, createdAt: string): Record<string, unknown> {
  const s = ctx.settings;
  return {
    id: `/subscriptions/${s.registrySubscriptionId}/resourceGroups/${s.registryResourceGroup}/providers/Microsoft.ContainerRegistry/registries/${s.registryName}`,
    name: s.registryName,
    type: 'Microsoft.ContainerRegistry/registries',
    location: s.location,
    tags: {},
    sku: { name: 'Standard', tier: 'Standard' },
    properties: {
      loginServer: s.registryLoginServer,
      creationDate: createdAt,
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: createdAt, status: 'disabled' },
        exportPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      privateEndpointConnections: [],
      publicNetworkAccess: 'Enabled',
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
    },
  };
}

/**
 * ARM's answers for a wrong api-version, subscription or resource group. True when the path names
 * the registry's own group; the workspace's group (when the registry lives elsewhere) exists but
 * holds no registry.
 */
export function checkScope(req: TestbedRequest, ctx: TestbedContext, apiVersions: readonly string[] = REGISTRY_API_VERSIONS): boolean {
  const apiVersion = req.query.get('api-version');
  if (!apiVersion) {
    throw new TestbedHttpError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  if (!apiVersions.includes(apiVersion)) {
    throw new TestbedHttpError(400, 'NoRegisteredProviderFound',
      `No registered resource provider found for location '${ctx.settings.location}' and API version '${apiVersion}' for type 'registries'. The supported api-versions are '${apiVersions.join(', ')}'.`);
  }
  const s = ctx.settings;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const groups = [
    { sub: s.registrySubscriptionId, rg: s.registryResourceGroup },
    { sub: s.subscriptionId, rg: s.resourceGroup },
  ];
  if (!groups.some((g) => same(g.sub, req.params.sub))) {
    throw new TestbedHttpError(404, 'SubscriptionNotFound', `The subscription '${req.params.sub}' could not be found.`);
  }
  if (!groups.some((g) => same(g.sub, req.params.sub) && same(g.rg, req.params.rg))) {
    throw new TestbedHttpError(404, 'ResourceGroupNotFound', `Resource group '${req.params.rg}' could not be found.`);
  }
  return same(groups[0].sub, req.params.sub) && same(groups[0].rg, req.params.rg);
}

export function registerRegistryResource(router: Router, ctx: TestbedContext): void {
  const createdAt = new Date().toISOString();
  router.route('GET', PROVIDER_PATH, (req) => {
    ctx.requireArmToken(req);
    const here = checkScope(req, ctx);
    return { status: 200, body: { value: here ? [registryResource(ctx, createdAt)] : [] } };
  });
  router.route('GET', `${PROVIDER_PATH}/:name`, (req) => {
    ctx.requireArmToken(req);
    const here = checkScope(req, ctx);
    if (!here || req.params.name.toLowerCase() !== ctx.settings.registryName.toLowerCase()) {
      throw new TestbedHttpError(404, 'ResourceNotFound',
        `The Resource 'Microsoft.ContainerRegistry/registries/${req.params.name}' under resource group '${req.params.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    }
    return { status: 200, body: registryResource(ctx, createdAt) };
  });
}
