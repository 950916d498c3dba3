/**
 * What happens to the endpoint's other deployments after traffic moved. Every deployment keeps its
 * VMs (and its GPU bill) while it exists, even at 0%. `keep-last` keeps the one that served before
 * this run (one quick rollback) and deletes older idle ones; `delete` deletes every idle one; `keep`
 * keeps all. Only deployments this action created (tag created-by: aml-triton-deploy) are ever
 * deleted: someone else's deployment is left alone, and the summary says so. Pure.
 */
import type { DeploymentSummary } from './deployment';

export type PreviousDeployments = 'keep-last' | 'keep' | 'delete';
export const CREATED_BY_TAG = 'created-by';
export const CREATED_BY_VALUE = 'aml-triton-deploy';

export interface RetireDecision {
  name: string;
  action: 'serve' | 'keep' | 'delete' | 'leave';
  traffic: number;
  /** What it costs while it exists: instance type x count. */
  instances: string;
  instanceCount: number;
  reason: string;
}

function shareOf(traffic: Record<string, number>, name: string): number {
  return Object.entries(traffic).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? 0;
}

export function retirePlan(args: {
  policy: PreviousDeployments;
  /** The deployment this run rolled out (or reused). */
  current: string;
  /** Traffic before this run. */
  before: Record<string, number>;
  /** Traffic now. */
  after: Record<string, number>;
  deployments: DeploymentSummary[];
}): RetireDecision[] {
  return args.deployments.map((d) => {
    const traffic = shareOf(args.after, d.name);
    const base = { name: d.name, traffic, instances: `${d.instanceType ?? 'unknown'} x${d.instanceCount}`, instanceCount: d.instanceCount };
    if (d.name.toLowerCase() === args.current.toLowerCase()) return { ...base, action: 'serve', reason: `this run's deployment, ${traffic}% of traffic` };
    if (traffic > 0) return { ...base, action: 'serve', reason: `serves ${traffic}% of traffic` };
    if (args.policy === 'keep') return { ...base, action: 'keep', reason: 'idle (0%), kept (previous-deployments: keep)' };
    const servedBefore = shareOf(args.before, d.name) > 0;
    if (d.tags[CREATED_BY_TAG] !== CREATED_BY_VALUE) {
      return { ...base, action: 'leave', reason: `idle (0%), left alone: not created by ${CREATED_BY_VALUE} (no tag ${CREATED_BY_TAG}: ${CREATED_BY_VALUE})` };
    }
    if (args.policy === 'keep-last' && servedBefore) return { ...base, action: 'keep', reason: 'idle (0%), served before this run: kept for one quick rollback' };
    return {
      ...base,
      action: 'delete',
      reason: args.policy === 'delete' ? 'idle (0%), deleted (previous-deployments: delete)' : 'idle (0%) and older than the last serving deployment, deleted (previous-deployments: keep-last)',
    };
  });
}

/** "2 instance(s) keep running: a Standard_NC4as_T4_v3 x1, b Standard_NC8as_T4_v3 x1" for the deployments that stay. Pure. */
export function runningCost(staying: RetireDecision[]): string {
  const total = staying.reduce((n, d) => n + d.instanceCount, 0);
  return `${total} instance(s) keep running: ${staying.map((d) => `${d.name} ${d.instances}`).join(', ') || 'none'}`;
}
