import { deploymentNameFor } from '../../../src/deploy/deployment-name';
import { trafficSteps } from '../../../src/deploy/traffic-plan';
import { tritonBaseUrl } from '../../../src/execute/smoke-gate';

describe('trafficSteps', () => {
  it.each<[string, Record<string, number>, number[], Record<string, number>[]]>([
    ['a new endpoint: everything at once', {}, [100], [{ green: 100 }]],
    ['a new endpoint ignores steps: nobody else serves', {}, [10, 100], [{ green: 100 }]],
    ['one old deployment, all at once', { blue: 100 }, [100], [{ blue: 0, green: 100 }]],
    ['one old deployment, in steps', { blue: 100 }, [10, 50, 100], [{ blue: 90, green: 10 }, { blue: 50, green: 50 }, { blue: 0, green: 100 }]],
    ['two old deployments share the rest in proportion', { a: 75, b: 25 }, [20, 100], [{ a: 60, b: 20, green: 20 }, { a: 0, b: 0, green: 100 }]],
    ['a deployment at 0% stays listed at 0', { blue: 100, old: 0 }, [100], [{ blue: 0, old: 0, green: 100 }]],
  ])('%s', (_name, current, steps, expected) => {
    const plan = trafficSteps(current, 'green', steps);
    expect(plan).toEqual(expected);
    for (const m of plan) expect(Object.values(m).reduce((s, p) => s + p, 0)).toBe(100);
  });
});

describe('deploymentNameFor', () => {
  const base = { modelContentHash: 'a'.repeat(64), image: 'triton:c-1', settings: { instanceType: 'Standard_NC4as_T4_v3' } };

  it('gives the same name for the same content, inside Azure naming rules', () => {
    const name = deploymentNameFor(base);
    expect(deploymentNameFor({ ...base })).toBe(name);
    expect(name).toMatch(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/);
  });

  it.each([
    ['model content', { ...base, modelContentHash: 'b'.repeat(64) }],
    ['image', { ...base, image: 'triton:c-2' }],
    ['settings', { ...base, settings: { instanceType: 'Standard_NC8as_T4_v3' } }],
  ])('changes when the %s changes', (_what, changed) => {
    expect(deploymentNameFor(changed)).not.toBe(deploymentNameFor(base));
  });
});

describe('tritonBaseUrl', () => {
  it('talks to a custom container through the scoring URI, which the endpoint forwards to the scoring route', () => {
    expect(tritonBaseUrl('https://ep.westeurope.inference.ml.azure.com/score', 'custom_model')).toBe('https://ep.westeurope.inference.ml.azure.com/score');
    expect(tritonBaseUrl('https://127.0.0.1:8443/inference/ep/score/', 'custom_model')).toBe('https://127.0.0.1:8443/inference/ep/score');
  });

  it("strips /score for Azure's no-code Triton, which serves /v2 at the host root", () => {
    expect(tritonBaseUrl('https://ep.westeurope.inference.ml.azure.com/score', 'triton_model')).toBe('https://ep.westeurope.inference.ml.azure.com');
    expect(tritonBaseUrl('https://127.0.0.1:8443/inference/ep/score', 'triton_model')).toBe('https://127.0.0.1:8443/inference/ep');
  });
});
