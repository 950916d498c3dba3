import { checkTraffic, pickByTraffic, withoutDeployment } from '../../../testbed/machine-learning/traffic';
import { chooseDeployment, containerPath, isAuthorized } from '../../../testbed/machine-learning/scoring-routing';
import { DeploymentRecord, DeploymentState } from '../../../testbed/machine-learning/state';

describe('traffic validation', () => {
  const deployments = ['blue', 'Green'];

  it('accepts a split that sums to 100 and uses the deployments own spelling', () => {
    expect(checkTraffic({ BLUE: 90, green: 10 }, deployments)).toEqual({ ok: true, traffic: { blue: 90, Green: 10 } });
  });

  it('accepts all-zero traffic and a missing map', () => {
    expect(checkTraffic({ blue: 0 }, deployments)).toEqual({ ok: true, traffic: { blue: 0 } });
    expect(checkTraffic(undefined, deployments)).toEqual({ ok: true, traffic: {} });
  });

  it('rejects traffic to a deployment that does not exist, naming it', () => {
    const r = checkTraffic({ blue: 50, red: 50 }, deployments);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain("'red'");
  });

  it('rejects percentages that do not sum to 100 or 0', () => {
    const r = checkTraffic({ blue: 60, green: 30 }, deployments);
    expect(!r.ok && r.message).toContain('sum to 90');
  });

  it.each([[-1], [101], [12.5], ['50']])('rejects the value %p', (value) => {
    expect(checkTraffic({ blue: value }, deployments).ok).toBe(false);
  });

  it('drops a deleted deployment from the map', () => {
    expect(withoutDeployment({ Blue: 100, green: 0 }, 'GREEN')).toEqual({ Blue: 100 });
  });
});

describe('weighted choice', () => {
  it('maps the random draw onto the weights in order', () => {
    const traffic = { blue: 90, green: 10 };
    expect(pickByTraffic(traffic, () => true, () => 0.0)).toBe('blue');
    expect(pickByTraffic(traffic, () => true, () => 0.899)).toBe('blue');
    expect(pickByTraffic(traffic, () => true, () => 0.95)).toBe('green');
  });

  it('skips deployments that are not serving and zero weights', () => {
    expect(pickByTraffic({ blue: 100, green: 0 }, (n) => n !== 'blue', () => 0.5)).toBeUndefined();
    expect(pickByTraffic({ blue: 50, green: 50 }, (n) => n === 'green', () => 0.1)).toBe('green');
  });
});

function deployment(name: string, provisioningState: DeploymentState): DeploymentRecord {
  return { name, provisioningState } as DeploymentRecord;
}

describe('scoring front door', () => {
  const endpoint = {
    name: 'ep',
    traffic: { blue: 100, green: 0 } as Record<string, number>,
    deployments: new Map([
      ['blue', deployment('blue', 'Succeeded')],
      ['green', deployment('green', 'Succeeded')],
      ['red', deployment('red', 'Creating')],
    ]),
  };

  it('reaches a 0% deployment through the azureml-model-deployment header', () => {
    expect(chooseDeployment(endpoint, 'GREEN')).toEqual({ ok: true, deployment: 'green' });
  });

  it('answers 404 for a named deployment that is missing or not Succeeded', () => {
    expect(chooseDeployment(endpoint, 'purple')).toMatchObject({ ok: false, status: 404 });
    expect(chooseDeployment(endpoint, 'red')).toMatchObject({ ok: false, status: 404 });
  });

  it('routes by traffic without the header', () => {
    expect(chooseDeployment(endpoint, undefined, () => 0.3)).toEqual({ ok: true, deployment: 'blue' });
  });

  it('answers 503 when no deployment has traffic', () => {
    const r = chooseDeployment({ ...endpoint, traffic: { blue: 0 } }, undefined);
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(!r.ok && r.message).toContain('No valid deployments to route to');
  });

  const keyed = { authMode: 'Key' as const, keys: { primaryKey: 'p', secondaryKey: 's' }, amlTokens: new Map<string, number>() };

  it('accepts either endpoint key as a bearer credential and nothing else', () => {
    expect(isAuthorized(keyed, 'Bearer p', 0)).toBe(true);
    expect(isAuthorized(keyed, 'bearer s', 0)).toBe(true);
    expect(isAuthorized(keyed, 'Bearer x', 0)).toBe(false);
    expect(isAuthorized(keyed, 'p', 0)).toBe(false);
    expect(isAuthorized(keyed, undefined, 0)).toBe(false);
  });

  it('accepts an AML token until it expires, and no key, in AMLToken mode', () => {
    const tokened = { ...keyed, authMode: 'AMLToken' as const, amlTokens: new Map([['tok', 1000]]) };
    expect(isAuthorized(tokened, 'Bearer tok', 999)).toBe(true);
    expect(isAuthorized(tokened, 'Bearer tok', 1000)).toBe(false);
    expect(isAuthorized(tokened, 'Bearer p', 0)).toBe(false);
  });

  const custom = (scoringRoutePath?: string) => ({ noCodeTriton: false, scoringRoutePath });
  const noCode = { noCodeTriton: true };

  it.each<[string, string | undefined, string]>([
    ['score', '/', '/'],
    ['score/v2/health/ready', '/', '/v2/health/ready'],
    ['score/v2/models/peoplenet/infer', '/', '/v2/models/peoplenet/infer'],
    ['score/', '/', '/'],
    ['score', '/v2/models/m/infer', '/v2/models/m/infer'],
    ['score/x', '/api/', '/api/x'],
    ['score', undefined, '/score'],
  ])('forwards a custom container\'s /%s to the scoring route %s + the rest: %s', (rest, route, expected) => {
    expect(containerPath(rest, custom(route))).toEqual({ ok: true, path: expected });
  });

  it("answers 404 for Triton's /v2 at the host root of a custom-container endpoint", () => {
    expect(containerPath('v2/health/ready', custom('/'))).toMatchObject({ ok: false, status: 404 });
    expect(containerPath('scores/v2/health/ready', custom('/'))).toMatchObject({ ok: false, status: 404 });
  });

  it('serves a no-code Triton deployment at /v2 on the host root, and nothing else', () => {
    expect(containerPath('v2/models/peoplenet/infer', noCode)).toEqual({ ok: true, path: '/v2/models/peoplenet/infer' });
    expect(containerPath('v2', noCode)).toEqual({ ok: true, path: '/v2' });
    expect(containerPath('score/v2/health/ready', noCode)).toMatchObject({ ok: false, status: 404 });
    expect(containerPath('score', noCode)).toMatchObject({ ok: false, status: 404 });
  });
});
