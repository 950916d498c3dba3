// Dedicated-core quota of the region, as Usages_List (2022-10-01) reports it and as provisioning
// enforces it. A managed online deployment holds ceil(1.2 x instances) x vCPUs of its VM family and of
// the regional total: "Azure Machine Learning reserves 20% extra compute resources for performing
// upgrades. For example, if you request 10 instances in a deployment, you must have a quota for 12."
// (MicrosoftDocs/azure-ai-docs, articles/machine-learning/how-to-manage-quotas.md, endpoint limits
// footnote 4). Usage entries follow the spec example (examples/Usage/list.json in
// Azure/azure-rest-api-specs 2022-10-01) with the family name as `name.value` and the portal's
// "Standard <X> Family Cluster Dedicated vCPUs" as `localizedValue`.
import { workspaceId } from './arm-ids';
import type { MlRuntime } from './ml-runtime';
import type { DeploymentRecord } from './state';
import { VM_FAMILIES, vmSize } from './vm-sizes';

export interface QuotaCounter {
  limit: number;
  /** Cores held outside this workspace's deployments (other workspaces, compute clusters). */
  usedElsewhere: number;
}

export interface QuotaState {
  /** Keyed by the lower-cased family name. */
  families: Map<string, QuotaCounter>;
  total: QuotaCounter;
  /** Reads answered 403 AuthorizationFailed (a caller without subscription-level read). */
  denied: Set<'usages' | 'vmSizes'>;
}

/**
 * A subscription that was granted GPU quota: 96 cores per family, 300 in total (the documented
 * default range for dedicated cores per region is 24 to 300; GPU families start at 0 and the test
 * bed's own deployments need some).
 */
export function defaultQuota(): QuotaState {
  return {
    families: new Map(VM_FAMILIES.map((f) => [f.toLowerCase(), { limit: 96, usedElsewhere: 0 }])),
    total: { limit: 300, usedElsewhere: 0 },
    denied: new Set(),
  };
}

/** Instances Azure reserves for a deployment of `instances`: 20% extra, rounded up. */
export function reservedInstances(instances: number): number {
  return Math.ceil((instances * 12) / 10);
}

const HOLDS_CORES = new Set(['Creating', 'Updating', 'Scaling', 'Succeeded']);

/** Cores this workspace's deployments hold, per lower-cased family, leaving out `except`. */
export function workspaceCores(rt: MlRuntime, except?: DeploymentRecord): Map<string, number> {
  const used = new Map<string, number>();
  for (const e of rt.state.endpoints.values()) {
    for (const d of e.deployments.values()) {
      if (d === except || !HOLDS_CORES.has(d.provisioningState)) continue;
      const size = vmSize(String(d.properties.instanceType));
      if (!size) continue;
      const key = size.family.toLowerCase();
      used.set(key, (used.get(key) ?? 0) + reservedInstances(d.sku.capacity) * size.vCPUs);
    }
  }
  return used;
}

/** Azure's OutOfQuota message when deployment `d` does not fit, undefined when it does. */
export function quotaShortfall(rt: MlRuntime, d: DeploymentRecord): string | undefined {
  const size = vmSize(String(d.properties.instanceType));
  if (!size) return undefined;
  const q = rt.state.quota;
  const mine = workspaceCores(rt, d);
  const needed = reservedInstances(d.sku.capacity) * size.vCPUs;
  const family = q.families.get(size.family.toLowerCase()) ?? { limit: 0, usedElsewhere: 0 };
  const familyUsed = family.usedElsewhere + (mine.get(size.family.toLowerCase()) ?? 0);
  const totalUsed = q.total.usedElsewhere + [...mine.values()].reduce((a, b) => a + b, 0);
  const short = familyUsed + needed > family.limit ? { used: familyUsed, limit: family.limit } : totalUsed + needed > q.total.limit ? { used: totalUsed, limit: q.total.limit } : undefined;
  if (!short) return undefined;
  return (
    `Not enough quota available for ${size.name} in SubscriptionId ${rt.scope.subscriptionId}. ` +
    `Current usage/limit: ${short.used}/${short.limit}. Additional needed: ${needed} ` +
    'Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota'
  );
}

function spaced(family: string): string {
  // standardNCASv3_T4Family -> "Standard NCASv3_T4 Family"
  return `Standard ${family.replace(/^standard/i, '').replace(/Family$/, '')} Family`;
}

function usage(id: string, type: string, value: string, localized: string, current: number, limit: number, location: string): Record<string, unknown> {
  return { id, amlWorkspaceLocation: location, type, unit: 'Count', currentValue: current, limit, name: { value, localizedValue: localized } };
}

/** The Usages_List page for the region. */
export function usageList(rt: MlRuntime, location: string): Record<string, unknown>[] {
  const q = rt.state.quota;
  const sub = `/subscriptions/${rt.scope.subscriptionId}`;
  const ws = workspaceId(rt.scope);
  const mine = workspaceCores(rt);
  const mineTotal = [...mine.values()].reduce((a, b) => a + b, 0);
  const out = [
    usage(`${sub}/usages`, 'Microsoft.MachineLearningServices/dedicatedCores/usages', 'Total Cluster Dedicated Regional vCPUs', 'Total Cluster Dedicated Regional vCPUs', q.total.usedElsewhere + mineTotal, q.total.limit, location),
    usage(`${sub}/usages`, 'Microsoft.MachineLearningServices/lowPriorityCores/usages', 'Total Cluster LowPriority Regional vCPUs', 'Total Cluster LowPriority Regional vCPUs', 0, 100, location),
  ];
  for (const family of VM_FAMILIES) {
    const key = family.toLowerCase();
    const counter = q.families.get(key) ?? { limit: 0, usedElsewhere: 0 };
    const ours = mine.get(key) ?? 0;
    const dedicated = `${spaced(family)} Cluster Dedicated vCPUs`;
    const idName = dedicated.replace(/ /g, '_');
    out.push(usage(`${sub}/usages/${idName}`, 'Microsoft.MachineLearningServices/vmFamily/usages', family, dedicated, counter.usedElsewhere + ours, counter.limit, location));
    if (ours > 0) out.push(usage(`${ws}/usages/${idName}`, 'Microsoft.MachineLearningServices/workspaces/usages', family, dedicated, ours, counter.limit, location));
    const lowPriority = `${spaced(family)} Cluster LowPriority vCPUs`;
    out.push(usage(`${sub}/usages/${lowPriority.replace(/ /g, '_')}`, 'Microsoft.MachineLearningServices/vmFamily/usages', family, lowPriority, 0, -1, location));
  }
  return out;
}
