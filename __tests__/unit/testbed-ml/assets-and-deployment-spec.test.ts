import { putVersion, sameJson } from '../../../testbed/machine-learning/asset-versions';
import { normalizeEnvironmentVersion, normalizeModelVersion } from '../../../testbed/machine-learning/asset-kinds';
import { AssetLookup, parseDeploymentSpec } from '../../../testbed/machine-learning/deployment-spec';
import { checkInstanceType } from '../../../testbed/machine-learning/instance-types';
import { workspaceId } from '../../../testbed/machine-learning/arm-ids';
import { AssetVersionRecord, DeploymentRecord } from '../../../testbed/machine-learning/state';
import { modelStatusTable, tailLines, tritonStartupLines } from '../../../testbed/machine-learning/deployment-logs';

const caller = { name: 'app-id', type: 'Application' as const };
const scope = { subscriptionId: 'sub', resourceGroup: 'rg', workspace: 'ws' };
const normalizeModel = normalizeModelVersion(scope);
const modelUri = 'azureml://datastores/workspaceblobstore/paths/models/abc';

describe('asset versions', () => {
  const first = normalizeModel('detector', '1', { modelUri, modelType: 'triton_model', tags: { a: '1' } });

  it('creates a version with defaults filled in', () => {
    const put = putVersion(undefined, 'detector', '1', first, caller);
    expect(put.outcome).toBe('created');
    expect(put.outcome !== 'conflict' && put.record.properties).toMatchObject({ isAnonymous: false, isArchived: false, modelType: 'triton_model', description: null });
  });

  it('accepts the same content again as unchanged and a tag change as an update', () => {
    const created = putVersion(undefined, 'detector', '1', first, caller);
    if (created.outcome === 'conflict') throw new Error('unexpected');
    expect(putVersion(created.record, 'detector', '1', { ...first }, caller).outcome).toBe('unchanged');
    const updated = putVersion(created.record, 'detector', '1', { ...first, tags: { a: '2' } }, caller);
    expect(updated.outcome).toBe('updated');
    expect(updated.outcome === 'updated' && updated.record.properties.tags).toEqual({ a: '2' });
  });

  it('refuses to change the model URI of a registered version, naming the field', () => {
    const created = putVersion(undefined, 'detector', '1', first, caller);
    if (created.outcome === 'conflict') throw new Error('unexpected');
    const again = normalizeModel('detector', '1', { modelUri: `${modelUri}-other`, modelType: 'triton_model' });
    expect(putVersion(created.record, 'detector', '1', again, caller)).toEqual({ outcome: 'conflict', fields: ['modelUri'] });
  });

  it('compares JSON regardless of key order and null versus absent', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: null }, {})).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
  });

  it.each([
    ['0', { modelUri }, 'positive integer'],
    ['1', {}, 'modelUri is required'],
    ['1', { modelUri: 'azureml://datastores/other/paths/x' }, "Datastore 'other'"],
    ['1', { modelUri: 'azureml://subscriptions/sub/resourcegroups/rg/workspaces/elsewhere/datastores/workspaceblobstore/paths/x' }, "workspace 'elsewhere'"],
    ['1', { modelUri: 'azureml://nonsense' }, 'Invalid model URI'],
  ])('rejects model version %s with %j', (version, props, message) => {
    expect(() => normalizeModel('detector', version, props)).toThrow(message);
  });

  it('requires an image or build context on environments and keeps inference routes', () => {
    expect(() => normalizeEnvironmentVersion('env', '1', {})).toThrow('either properties.image or properties.build');
    const routes = { scoringRoute: { path: '/', port: 8000 } };
    expect(normalizeEnvironmentVersion('env', '1', { image: 'r.io/a:1', inferenceConfig: routes })).toMatchObject({
      image: 'r.io/a:1',
      inferenceConfig: routes,
      environmentType: 'UserCreated',
      osType: 'Linux',
    });
  });
});

describe('instance types', () => {
  it('knows current GPU and CPU sizes case-insensitively', () => {
    expect(checkInstanceType('standard_nc4as_t4_v3')).toEqual({ kind: 'supported', name: 'Standard_NC4as_T4_v3' });
    expect(checkInstanceType('Standard_DS3_v2').kind).toBe('supported');
  });

  it('marks NCv3 as retired on 2025-09-30 and rejects made-up sizes', () => {
    expect(checkInstanceType('Standard_NC6s_v3')).toMatchObject({ kind: 'retired', retired: { series: 'NCv3', retiredOn: '2025-09-30' } });
    expect(checkInstanceType('Standard_GPU_Large').kind).toBe('unknown');
  });
});

describe('deployment PUT validation', () => {
  const modelId = `${workspaceId(scope)}/models/detector/versions/1`;
  const envId = `${workspaceId(scope)}/environments/triton/versions/abc`;
  const model = { name: 'detector', version: '1', properties: { modelType: 'custom_model' } } as unknown as AssetVersionRecord;
  const tritonModel = { name: 'detector', version: '2', properties: { modelType: 'triton_model' } } as unknown as AssetVersionRecord;
  const env = { name: 'triton', version: 'abc', properties: { image: 'x.io/a:1' } } as unknown as AssetVersionRecord;
  const lookup: AssetLookup = {
    scope,
    modelVersion: (_n, v) => (v === '1' ? model : v === '2' ? tritonModel : undefined),
    environmentVersion: (_n, v) => (v === 'abc' ? env : undefined),
  };
  const body = (props: Record<string, unknown>, sku: unknown = { name: 'Default', capacity: 1 }) => ({
    location: 'westeurope',
    sku,
    properties: { endpointComputeType: 'Managed', instanceType: 'Standard_NC4as_T4_v3', model: modelId, environmentId: envId, ...props },
  });

  it('accepts a valid body and fills Azure defaults', () => {
    const spec = parseDeploymentSpec('blue', body({}), undefined, lookup);
    expect(spec.model).toBe(model);
    expect(spec.environment).toBe(env);
    expect(spec.sku).toEqual({ name: 'Default', tier: 'Standard', capacity: 1 });
    expect(spec.properties).toMatchObject({
      scaleSettings: { scaleType: 'Default' },
      requestSettings: { maxConcurrentRequestsPerInstance: 1, requestTimeout: 'PT5S' },
      livenessProbe: { failureThreshold: 30, period: 'PT10S' },
      egressPublicNetworkAccess: 'Enabled',
    });
  });

  it.each([
    ['an unknown instance type', 'blue', body({ instanceType: 'Standard_Bogus' }), 'not supported'],
    ['zero instances', 'blue', body({}, { capacity: 0 }), 'at least 1'],
    ['a missing model version', 'blue', body({ model: `${workspaceId(scope)}/models/detector/versions/9` }), 'Could not find asset'],
    ['a model from another workspace', 'blue', body({ model: modelId.replace('/workspaces/ws/', '/workspaces/other/') }), "workspace 'other'"],
    ['a Kubernetes compute type', 'blue', body({ endpointComputeType: 'Kubernetes' }), "'Managed'"],
    ['an invalid name', '1blue', body({}), "Deployment name '1blue'"],
    ['a custom model without environment', 'blue', body({ environmentId: undefined }), 'environmentId is required'],
  ])('rejects %s with BadArgument', (_what, name, b, message) => {
    let error: unknown;
    try {
      parseDeploymentSpec(name, b, undefined, lookup);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 400, code: 'BadArgument' });
    expect((error as Error).message).toContain(message);
  });

  it('stores the egress, App Insights, scale and property settings it was sent', () => {
    const spec = parseDeploymentSpec(
      'blue',
      body({
        egressPublicNetworkAccess: 'Disabled',
        appInsightsEnabled: true,
        scaleSettings: { scaleType: 'TargetUtilization', minInstances: 1, maxInstances: 3, pollingInterval: 'PT10S', targetUtilizationPercentage: 60 },
        properties: { owner: 'vision-team' },
      }),
      undefined,
      lookup,
    );
    expect(spec.properties).toMatchObject({
      egressPublicNetworkAccess: 'Disabled',
      appInsightsEnabled: true,
      scaleSettings: { scaleType: 'TargetUtilization', minInstances: 1, maxInstances: 3, pollingInterval: 'PT10S', targetUtilizationPercentage: 60 },
      properties: { owner: 'vision-team' },
    });
    expect(parseDeploymentSpec('blue', body({ egressPublicNetworkAccess: 'disabled' }), undefined, lookup).properties.egressPublicNetworkAccess).toBe('Disabled');
    expect(() => parseDeploymentSpec('blue', body({ egressPublicNetworkAccess: 'Off' }), undefined, lookup)).toThrow("'Enabled' or 'Disabled'");
  });

  it('allows a triton_model without environment (no-code Triton)', () => {
    const spec = parseDeploymentSpec('blue', body({ model: modelId.replace(/1$/, '2'), environmentId: undefined }), undefined, lookup);
    expect(spec.environment).toBeUndefined();
  });

  it('refuses to change the instance type of an existing deployment', () => {
    const existing = { properties: { instanceType: 'Standard_DS3_v2' } } as unknown as DeploymentRecord;
    expect(() => parseDeploymentSpec('blue', body({}), existing, lookup)).toThrow('cannot be changed');
  });

  it('accepts a retired size at PUT time and reports it as retired for provisioning to fail', () => {
    expect(parseDeploymentSpec('blue', body({ instanceType: 'Standard_NC6s_v3' }), undefined, lookup).instanceType.kind).toBe('retired');
  });
});

describe('deployment logs', () => {
  it('prints a Triton-like status table with failures', () => {
    const table = modelStatusTable([
      { name: 'peoplenet', version: '1', state: 'READY', reason: '' },
      { name: 'broken', version: '1', state: 'UNAVAILABLE', reason: 'bad config' },
    ]);
    expect(table[1]).toMatch(/^\| Model +\| Version \| Status +\|$/);
    expect(table.join('\n')).toContain('| broken    | 1       | UNAVAILABLE: bad config |');
  });

  it('ends start-up with the HTTP service line only when every model is ready', () => {
    const ok = tritonStartupLines('/models', [{ name: 'm', version: '1', state: 'READY', reason: '' }]).join('\n');
    expect(ok).toContain("successfully loaded 'm'");
    expect(ok).toContain('Started HTTPService at 0.0.0.0:8000');
    const bad = tritonStartupLines('/models', []).join('\n');
    expect(bad).toContain('no models found in the model repository');
    expect(bad).not.toContain('Started HTTPService');
  });

  it('returns the last lines for tail', () => {
    expect(tailLines(['a', 'b', 'c'], 2)).toBe('b\nc');
    expect(tailLines(['a', 'b'], undefined)).toBe('a\nb');
    expect(tailLines(['a', 'b'], 0)).toBe('');
  });
});
