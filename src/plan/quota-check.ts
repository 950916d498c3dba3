/**
 * Does a new deployment fit the region's dedicated-core quota? Pure: works on what
 * deploy/compute-quota.ts read. Azure ML holds ceil(1.2 x instances) x vCPUs for a managed online
 * deployment: "Azure Machine Learning reserves 20% extra compute resources for performing upgrades.
 * For example, if you request 10 instances in a deployment, you must have a quota for 12."
 * (MicrosoftDocs/azure-ai-docs, articles/machine-learning/how-to-manage-quotas.md, online endpoint
 * limits, footnote 4). The cores count against the VM family's limit, the workspace's limit for the
 * family when one is set, and the region's total ("Total Cluster Dedicated Regional vCPUs").
 *
 * A deployment that replaces one the run deletes first still needs its full share here: the check
 * does not credit cores that a delete would free (simple and on the safe side; a failed deployment
 * holds none anyway).
 */
import { UserInputError } from '../errors';
import { editDistance } from '../closest-name';
import type { ComputeQuotaReading, UsageInfo } from '../deploy/compute-quota';

export interface QuotaLine {
  /** The usage entry's name ("Standard NCASv3_T4 Family Cluster Dedicated vCPUs"). */
  label: string;
  current: number;
  limit: number;
}

export type QuotaCheck =
  | { verdict: 'not-needed'; reason: string }
  | { verdict: 'unknown-size'; instanceType: string; location: string; suggestions: string[] }
  | { verdict: 'unchecked'; instanceType: string; warnings: string[] }
  | {
      verdict: 'fits' | 'insufficient';
      instanceType: string;
      instances: number;
      family: string;
      vCPUs: number;
      neededCores: number;
      lines: QuotaLine[];
      /** The lines that cannot take `neededCores` more. */
      short: QuotaLine[];
      warnings: string[];
    };

/** Instances Azure holds for `instances`: 20% extra for upgrades, rounded up. */
export function reservedInstances(instances: number): number {
  return Math.ceil((instances * 12) / 10);
}

/** "standardNCASv3_T4Family" and "Standard NCASv3_T4 Family Cluster Dedicated vCPUs" both -> "ncasv3_t4". */
function familyKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/cluster dedicated vcpus$/, '')
    .replace(/\s+/g, '')
    .replace(/^standard/, '')
    .replace(/family$/, '');
}

const isLowPriority = (u: UsageInfo) => /lowpriority/i.test(`${u.name} ${u.localizedName} ${u.id}`);
const isTotal = (u: UsageInfo) => /total cluster dedicated regional vcpus/i.test(`${u.name} ${u.localizedName}`) || /\/dedicatedCores\/usages$/i.test(u.type ?? '');

function lineOf(u: UsageInfo): QuotaLine | undefined {
  if (typeof u.limit !== 'number' || typeof u.currentValue !== 'number' || u.limit < 0) return undefined; // -1: no limit
  return { label: u.localizedName ?? u.name ?? 'usage', current: u.currentValue, limit: u.limit };
}

/** The usage lines that bind a deployment of `family` in workspace `workspace`. */
export function bindingLines(usages: UsageInfo[], family: string, workspace: string): { family: QuotaLine[]; total?: QuotaLine } {
  const key = familyKey(family);
  const wsPath = `/workspaces/${workspace.toLowerCase()}/usages/`;
  const family_: QuotaLine[] = [];
  let total: QuotaLine | undefined;
  for (const u of usages) {
    if (isLowPriority(u)) continue;
    if (isTotal(u)) {
      total ??= lineOf(u);
      continue;
    }
    const names = [u.name, u.localizedName].filter((n): n is string => !!n);
    if (!names.some((n) => familyKey(n) === key)) continue;
    const id = (u.id ?? '').toLowerCase();
    // Entries for other workspaces and for single compute clusters do not bind this deployment.
    if (id.includes('/workspaces/') && !id.includes(wsPath)) continue;
    if (id.includes('/computes/')) continue;
    const line = lineOf(u);
    if (line) family_.push({ ...line, label: id.includes(wsPath) ? `${line.label} (workspace ${workspace})` : line.label });
  }
  return { family: family_, total };
}

/** Up to three sizes whose names are closest to `name` ("did you mean"). */
export function closeSizes(name: string, sizes: string[]): string[] {
  const wanted = name.toLowerCase();
  return sizes
    .map((s) => ({ s, d: editDistance(wanted, s.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(3, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.d - b.d || a.s.localeCompare(b.s))
    .slice(0, 3)
    .map(({ s }) => s);
}

export function checkQuota(args: { instanceType: string; instances: number; workspace: string; reading: ComputeQuotaReading }): QuotaCheck {
  const { instanceType, instances, reading } = args;
  const warnings = reading.unread.map((u) => `Could not read ${u}; the quota of ${instanceType} is not checked before deploying.`);
  if (!reading.sizes) return { verdict: 'unchecked', instanceType, warnings };
  const size = reading.sizes.find((s) => s.name.toLowerCase() === instanceType.toLowerCase());
  if (!size) {
    return { verdict: 'unknown-size', instanceType, location: reading.location, suggestions: closeSizes(instanceType, reading.sizes.map((s) => s.name)) };
  }
  if (!size.family || !size.vCPUs) return { verdict: 'unchecked', instanceType, warnings: [...warnings, `Azure lists no family or vCPU count for ${size.name}; its quota is not checked.`] };
  if (!reading.usages) return { verdict: 'unchecked', instanceType, warnings };
  const { family, total } = bindingLines(reading.usages, size.family, args.workspace);
  if (family.length === 0) {
    warnings.push(`Azure lists no dedicated-core usage for VM family ${size.family} in ${reading.location}; the quota of ${size.name} is not checked.`);
  }
  const lines = [...family, ...(total ? [total] : [])];
  if (lines.length === 0) return { verdict: 'unchecked', instanceType, warnings };
  const neededCores = reservedInstances(instances) * size.vCPUs;
  const short = lines.filter((l) => l.current + neededCores > l.limit);
  return { verdict: short.length ? 'insufficient' : 'fits', instanceType: size.name, instances, family: size.family, vCPUs: size.vCPUs, neededCores, lines, short, warnings };
}

/** One line for the plan. */
export function describeQuota(q: QuotaCheck): string {
  switch (q.verdict) {
    case 'not-needed':
      return `quota      not checked: ${q.reason}`;
    case 'unknown-size':
      return `quota      ${q.instanceType} is not a VM size Azure ML offers in ${q.location}${q.suggestions.length ? ` (did you mean ${q.suggestions.join(', ')}?)` : ''}`;
    case 'unchecked':
      return `quota      not checked for ${q.instanceType} (${q.warnings.length ? 'see the warnings' : 'nothing to check against'})`;
    default: {
      const free = q.lines.map((l) => `${l.label}: ${l.current}/${l.limit} used`).join('; ');
      return `quota      ${q.instanceType} x${q.instances} needs ${q.neededCores} vCPUs of ${q.family} — ${q.verdict === 'fits' ? 'fits' : 'DOES NOT FIT'} (${free})`;
    }
  }
}

/** Throws when the plan cannot succeed: an unknown VM size or not enough quota. */
export function refuseInfeasible(q: QuotaCheck | undefined): void {
  if (!q) return;
  if (q.verdict === 'unknown-size') {
    throw new UserInputError(
      `instance-type '${q.instanceType}' is not a VM size Azure ML offers in ${q.location}` +
        (q.suggestions.length ? `; did you mean ${q.suggestions.map((s) => `'${s}'`).join(', ')}?` : '.'),
      { input: 'instance-type' },
    );
  }
  if (q.verdict !== 'insufficient') return;
  const shortfalls = q.short.map((l) => `${l.label}: ${l.current} of ${l.limit} in use, ${Math.max(0, l.limit - l.current)} free`).join('; ');
  throw new UserInputError(
    `instance-type ${q.instanceType} x${q.instances} (family ${q.family}, ${q.vCPUs} vCPUs each) needs ${q.neededCores} vCPUs of quota ` +
      `(Azure ML reserves 20% extra: ceil(1.2 x ${q.instances}) = ${reservedInstances(q.instances)} instances x ${q.vCPUs} vCPUs), but ${shortfalls}. ` +
      'Request more quota for this VM family in the region, delete unused deployments, or choose another instance-type or instance-count.',
    { input: 'instance-type' },
  );
}
