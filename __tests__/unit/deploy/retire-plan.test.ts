import type { DeploymentSummary } from '../../../src/deploy/deployment';
import { retirePlan, runningCost, type PreviousDeployments } from '../../../src/deploy/retire-plan';

const ours = (name: string, instanceCount = 1): DeploymentSummary => ({ name, tags: { 'created-by': 'aml-triton-deploy' }, instanceType: 'Standard_NC4as_T4_v3', instanceCount });
const theirs = (name: string): DeploymentSummary => ({ name, tags: { team: 'vision' }, instanceType: 'Standard_NC8as_T4_v3', instanceCount: 2 });

// Before the run `blue` served; `old` and `legacy` were idle; the run moved all traffic to `green`.
const plan = (policy: PreviousDeployments) =>
  Object.fromEntries(
    retirePlan({
      policy,
      current: 'green',
      before: { blue: 100, old: 0 },
      after: { green: 100 },
      deployments: [ours('green', 2), ours('blue'), ours('old'), theirs('legacy')],
    }).map((d) => [d.name, d.action]),
  );

describe('retirePlan', () => {
  it.each<[PreviousDeployments, Record<string, string>]>([
    ['keep-last', { green: 'serve', blue: 'keep', old: 'delete', legacy: 'leave' }],
    ['delete', { green: 'serve', blue: 'delete', old: 'delete', legacy: 'leave' }],
    ['keep', { green: 'serve', blue: 'keep', old: 'keep', legacy: 'keep' }],
  ])('previous-deployments: %s', (policy, expected) => {
    expect(plan(policy)).toEqual(expected);
  });

  it('never deletes a deployment that still takes traffic, whatever its tag', () => {
    const d = retirePlan({ policy: 'delete', current: 'green', before: { blue: 100 }, after: { green: 50, Blue: 50 }, deployments: [ours('green'), ours('blue')] });
    expect(d.map((x) => [x.name, x.action, x.traffic])).toEqual([['green', 'serve', 50], ['blue', 'serve', 50]]);
  });

  it('says why a deployment it did not create is left alone', () => {
    const [legacy] = retirePlan({ policy: 'keep-last', current: 'green', before: {}, after: { green: 100 }, deployments: [theirs('legacy')] });
    expect(legacy.reason).toMatch(/left alone: not created by aml-triton-deploy/);
  });

  it('counts what keeps running in instances', () => {
    const decisions = retirePlan({ policy: 'keep-last', current: 'green', before: { blue: 100 }, after: { green: 100 }, deployments: [ours('green', 2), ours('blue'), ours('old')] });
    expect(runningCost(decisions.filter((d) => d.action !== 'delete'))).toBe('3 instance(s) keep running: green Standard_NC4as_T4_v3 x2, blue Standard_NC4as_T4_v3 x1');
  });
});
