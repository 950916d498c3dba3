// Usages_List and VirtualMachineSizes_List (subscription + location scope, 2022-10-01), and the
// /_testbed/ml/quota control that sets limits and usage held elsewhere.
import { Router, TestbedHttpError, TestbedRequest } from '../server/router';
import { objectOf } from './arm-responses';
import { MlRuntime } from './ml-runtime';
import { defaultQuota, usageList } from './quota';
import { VM_FAMILIES, VM_SIZES, vmSizeBody } from './vm-sizes';

const LOCATION_PREFIX = '/subscriptions/:sub/providers/Microsoft.MachineLearningServices/locations/:location';

function denied(rt: MlRuntime, what: 'usages' | 'vmSizes', req: TestbedRequest): void {
  if (!rt.state.quota.denied.has(what)) return;
  const action = what === 'usages' ? 'usages/read' : 'locations/vmSizes/read';
  throw new TestbedHttpError(
    403,
    'AuthorizationFailed',
    `The client '${rt.ctx.settings.clientId}' does not have authorization to perform action 'Microsoft.MachineLearningServices/locations/${action}' ` +
      `over scope '/subscriptions/${req.params.sub}' or the scope is invalid.`,
  );
}

function count(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new TestbedHttpError(400, 'BadRequest', `${field} must be a non-negative integer; got ${JSON.stringify(value)}.`);
  return value;
}

export function registerQuotaRoutes(router: Router, rt: MlRuntime, guard: (req: TestbedRequest) => void): void {
  router.route('GET', `${LOCATION_PREFIX}/usages`, (req) => {
    guard(req);
    denied(rt, 'usages', req);
    return { status: 200, body: { value: usageList(rt, req.params.location) } };
  });

  router.route('GET', `${LOCATION_PREFIX}/vmSizes`, (req) => {
    guard(req);
    denied(rt, 'vmSizes', req);
    return { status: 200, body: { value: VM_SIZES.map(vmSizeBody) } };
  });

  // { families?: { <family>: { limit?, usedElsewhere? } }, total?: { limit?, usedElsewhere? }, deny?: ['usages' | 'vmSizes'] }
  router.route('POST', '/_testbed/ml/quota', (req) => {
    const body = objectOf(req.json());
    const q = rt.state.quota;
    for (const [family, value] of Object.entries(objectOf(body.families))) {
      const key = family.toLowerCase();
      if (!VM_FAMILIES.some((f) => f.toLowerCase() === key)) throw new TestbedHttpError(400, 'BadRequest', `Unknown VM family '${family}'; known: ${VM_FAMILIES.join(', ')}.`);
      const v = objectOf(value);
      const current = q.families.get(key)!;
      q.families.set(key, { limit: count(v.limit, 'limit') ?? current.limit, usedElsewhere: count(v.usedElsewhere, 'usedElsewhere') ?? current.usedElsewhere });
    }
    const total = objectOf(body.total);
    q.total = { limit: count(total.limit, 'total.limit') ?? q.total.limit, usedElsewhere: count(total.usedElsewhere, 'total.usedElsewhere') ?? q.total.usedElsewhere };
    if (body.deny !== undefined) {
      if (!Array.isArray(body.deny) || body.deny.some((d) => d !== 'usages' && d !== 'vmSizes')) throw new TestbedHttpError(400, 'BadRequest', "deny must be a list of 'usages' and 'vmSizes'.");
      q.denied = new Set(body.deny as ('usages' | 'vmSizes')[]);
    }
    return { status: 200, body: { families: Object.fromEntries(q.families), total: q.total, deny: [...q.denied] } };
  });

  router.route('DELETE', '/_testbed/ml/quota', () => {
    rt.state.quota = defaultQuota();
    return { status: 204 };
  });
}
