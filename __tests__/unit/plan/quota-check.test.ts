import type { ComputeQuotaReading, UsageInfo } from '../../../src/deploy/compute-quota';
import { checkQuota, closeSizes, describeQuota, refuseInfeasible, reservedInstances } from '../../../src/plan/quota-check';

const sub = '/subscriptions/00000000-0000-0000-0000-000000000000';
const ws = `${sub}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws`;
const sizes = [
  { name: 'Standard_NC4as_T4_v3', family: 'standardNCASv3_T4Family', vCPUs: 4 },
  { name: 'Standard_NC8as_T4_v3', family: 'standardNCASv3_T4Family', vCPUs: 8 },
  { name: 'Standard_NC6s_v3', family: 'standardNCSv3Family', vCPUs: 6 },
  { name: 'Standard_DS3_v2', family: 'standardDSv2Family', vCPUs: 4 },
];
const total = (current: number, limit: number): UsageInfo => ({ id: `${sub}/usages`, type: 'Microsoft.MachineLearningServices/dedicatedCores/usages', name: 'Total Cluster Dedicated Regional vCPUs', localizedName: 'Total Cluster Dedicated Regional vCPUs', currentValue: current, limit });
const t4 = (current: number, limit: number, id = `${sub}/usages/Standard_NCASv3_T4_Family_Cluster_Dedicated_vCPUs`): UsageInfo => ({ id, type: 'Microsoft.MachineLearningServices/vmFamily/usages', name: 'standardNCASv3_T4Family', localizedName: 'Standard NCASv3_T4 Family Cluster Dedicated vCPUs', currentValue: current, limit });
const lowPriority: UsageInfo = { id: `${sub}/usages/x`, type: 'Microsoft.MachineLearningServices/vmFamily/usages', name: 'standardNCASv3_T4Family', localizedName: 'Standard NCASv3_T4 Family Cluster LowPriority vCPUs', currentValue: 0, limit: 0 };
const reading = (usages?: UsageInfo[], unread: string[] = []): ComputeQuotaReading => ({ location: 'westeurope', sizes, usages, unread });
const check = (instanceType: string, instances: number, r: ComputeQuotaReading) => checkQuota({ instanceType, instances, workspace: 'ws', reading: r });

it.each([
  [1, 2],
  [2, 3],
  [3, 4],
  [5, 6],
  [10, 12],
])('Azure holds %i instances as %i (20%% extra, rounded up)', (instances, held) => {
  expect(reservedInstances(instances)).toBe(held);
});

describe('checkQuota', () => {
  it('fits when the family, the workspace and the region each have room for ceil(1.2 x n) x vCPUs', () => {
    const q = check('standard_nc4as_t4_v3', 1, reading([total(10, 100), t4(0, 8), lowPriority]));
    expect(q).toMatchObject({ verdict: 'fits', instanceType: 'Standard_NC4as_T4_v3', family: 'standardNCASv3_T4Family', neededCores: 8, short: [] });
  });

  it.each([
    ['the VM family', [total(0, 100), t4(4, 8)], 'Standard NCASv3_T4 Family Cluster Dedicated vCPUs'],
    ['the regional total', [total(95, 100), t4(0, 48)], 'Total Cluster Dedicated Regional vCPUs'],
    ["the workspace's own limit", [total(0, 100), t4(0, 48), t4(2, 8, `${ws}/usages/Standard_NCASv3_T4_Family_Cluster_Dedicated_vCPUs`)], 'Standard NCASv3_T4 Family Cluster Dedicated vCPUs (workspace ws)'],
  ])('does not fit when %s is short', (_what, usages, label) => {
    const q = check('Standard_NC4as_T4_v3', 1, reading(usages));
    expect(q.verdict).toBe('insufficient');
    expect(q.verdict === 'insufficient' && q.short.map((l) => l.label)).toEqual([label]);
  });

  it('matches the spaced family names of the spec example as well as the compact ones', () => {
    const spaced: UsageInfo = { id: `${sub}/usages/Standard_NCSv3_Family_Cluster_Dedicated_vCPUs`, type: 'Microsoft.MachineLearningServices/vmFamily/usages', name: 'Standard NCSv3 Family Cluster Dedicated vCPUs', localizedName: 'Standard NCSv3 Family Cluster Dedicated vCPUs', currentValue: 0, limit: 12 };
    expect(check('Standard_NC6s_v3', 1, reading([spaced]))).toMatchObject({ verdict: 'fits', neededCores: 12 });
    expect(check('Standard_NC6s_v3', 2, reading([spaced]))).toMatchObject({ verdict: 'insufficient', neededCores: 18 });
  });

  it('ignores low-priority lines, other workspaces, single clusters and unlimited (-1) lines', () => {
    const other = t4(40, 8, `${sub}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/other/usages/x`);
    const cluster = t4(40, 8, `${ws}/computes/gpu/usages/x`);
    const q = check('Standard_NC4as_T4_v3', 1, reading([lowPriority, other, cluster, t4(0, -1), total(0, 100)]));
    expect(q).toMatchObject({ verdict: 'fits', lines: [{ label: 'Total Cluster Dedicated Regional vCPUs', current: 0, limit: 100 }] });
  });

  it('refuses a size the region does not offer, with close names', () => {
    const q = check('Standard_NC4as_T4', 1, reading([]));
    expect(q).toMatchObject({ verdict: 'unknown-size', suggestions: ['Standard_NC4as_T4_v3', 'Standard_NC6s_v3', 'Standard_NC8as_T4_v3'] });
    expect(() => refuseInfeasible(q)).toThrow("instance-type 'Standard_NC4as_T4' is not a VM size Azure ML offers in westeurope; did you mean 'Standard_NC4as_T4_v3', 'Standard_NC6s_v3', 'Standard_NC8as_T4_v3'?");
  });

  it('warns and goes on when usages cannot be read', () => {
    const q = check('Standard_NC4as_T4_v3', 1, reading(undefined, ['usages: HTTP 403 AuthorizationFailed: no']));
    expect(q).toEqual({ verdict: 'unchecked', instanceType: 'Standard_NC4as_T4_v3', warnings: ['Could not read usages: HTTP 403 AuthorizationFailed: no; the quota of Standard_NC4as_T4_v3 is not checked before deploying.'] });
    expect(() => refuseInfeasible(q)).not.toThrow();
  });

  it('warns and goes on when the VM sizes cannot be read (no size check either)', () => {
    const q = checkQuota({ instanceType: 'Standard_Whatever', instances: 1, workspace: 'ws', reading: { location: 'westeurope', unread: ['VM sizes: HTTP 403'], usages: [] } });
    expect(q.verdict).toBe('unchecked');
    expect(() => refuseInfeasible(q)).not.toThrow();
  });

  it("warns when the family has no usage line, and still checks the region's total", () => {
    const q = check('Standard_DS3_v2', 2, reading([total(98, 100)]));
    expect(q).toMatchObject({ verdict: 'insufficient', neededCores: 12, warnings: [expect.stringContaining('no dedicated-core usage for VM family standardDSv2Family')] });
  });
});

describe('the refusal and the plan line', () => {
  const q = check('Standard_NC4as_T4_v3', 2, reading([total(0, 100), t4(4, 12)]));

  it('names the instance type, family, limit, usage and need', () => {
    expect(() => refuseInfeasible(q)).toThrow(
      'instance-type Standard_NC4as_T4_v3 x2 (family standardNCASv3_T4Family, 4 vCPUs each) needs 12 vCPUs of quota (Azure ML reserves 20% extra: ceil(1.2 x 2) = 3 instances x 4 vCPUs), ' +
        'but Standard NCASv3_T4 Family Cluster Dedicated vCPUs: 4 of 12 in use, 8 free.',
    );
  });

  it('prints the verdict in the plan', () => {
    expect(describeQuota(q)).toBe(
      'quota      Standard_NC4as_T4_v3 x2 needs 12 vCPUs of standardNCASv3_T4Family — DOES NOT FIT (Standard NCASv3_T4 Family Cluster Dedicated vCPUs: 4/12 used; Total Cluster Dedicated Regional vCPUs: 0/100 used)',
    );
  });
});

it('suggests nothing for a name far from every size', () => {
  expect(closeSizes('Banana', sizes.map((s) => s.name))).toEqual([]);
});
