/** The test bed's pure parts: route patterns, ACR scopes, registry access rules, redaction, fault specs. */
import { parseScopes } from '../../../testbed/container-registry/acr-tokens';
import { requiredAccess } from '../../../testbed/container-registry/acr-login-server';
import { audienceFromScope } from '../../../testbed/entra/access-tokens';
import { FaultScript, parseFaultSpec } from '../../../testbed/server/faults';
import { redactBody, redactHeaders } from '../../../testbed/server/request-log';
import { RouteTable, TestbedHttpError } from '../../../testbed/server/router';

describe('RouteTable', () => {
  const table = new RouteTable();
  const handler = () => ({ status: 200 });
  table.route('GET', '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:ws', handler);
  table.route('PUT', '/blobs/*rest', handler);

  it('matches literal segments case-insensitively and captures parameters', () => {
    const match = table.match('GET', '/SUBSCRIPTIONS/s1/resourcegroups/rg1/providers/microsoft.machinelearningservices/workspaces/ws1');
    expect(match).toMatchObject({ params: { sub: 's1', rg: 'rg1', ws: 'ws1' } });
  });

  it('captures the rest of the path with *name', () => {
    expect(table.match('PUT', '/blobs/a/b/c.txt')).toMatchObject({ params: { rest: 'a/b/c.txt' } });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(table.match('DELETE', '/blobs/x')).toBe('methodNotAllowed');
    expect(table.match('GET', '/nowhere')).toBeUndefined();
  });
});

describe('ACR scopes and access', () => {
  it.each([
    ['repository:samples/hello:pull,push', [{ type: 'repository', name: 'samples/hello', actions: ['pull', 'push'] }]],
    ['registry:catalog:*', [{ type: 'registry', name: 'catalog', actions: ['*'] }]],
    ['repository:a:pull repository:b:push', [{ type: 'repository', name: 'a', actions: ['pull'] }, { type: 'repository', name: 'b', actions: ['push'] }]],
  ])('parses %s', (scope, expected) => {
    expect(parseScopes([scope])).toEqual(expected);
  });

  it.each([
    ['GET', '/v2/', undefined],
    ['HEAD', '/v2/team/model/blobs/sha256:abc', { type: 'repository', name: 'team/model', action: 'pull' }],
    ['PUT', '/v2/team/model/manifests/1', { type: 'repository', name: 'team/model', action: 'push' }],
    ['POST', '/v2/model/blobs/uploads/', { type: 'repository', name: 'model', action: 'push' }],
    ['DELETE', '/v2/model/manifests/sha256:abc', { type: 'repository', name: 'model', action: 'delete' }],
  ])('%s %s needs %j', (method, path, expected) => {
    expect(requiredAccess(method, path)).toEqual(expected);
  });
});

describe('Entra scopes', () => {
  it('derives the audience from a /.default scope', () => {
    expect(audienceFromScope('https://management.azure.com/.default')).toBe('https://management.azure.com/');
    expect(audienceFromScope('openid profile')).toBeUndefined();
  });
});

describe('redaction', () => {
  it('hides authorization headers and keys', () => {
    expect(redactHeaders({ authorization: 'Bearer abc', 'training-key': 'k', accept: 'x' })).toEqual({ authorization: 'Bearer <redacted>', 'training-key': '<redacted>', accept: 'x' });
  });

  it('hides secrets in form and JSON bodies but keeps the rest', () => {
    const form = redactBody(Buffer.from('grant_type=client_credentials&client_secret=s3cret'), 'application/x-www-form-urlencoded');
    expect(form).toEqual({ grant_type: 'client_credentials', client_secret: '<redacted>' });
    const json = redactBody(Buffer.from(JSON.stringify({ access_token: 'eyJa.eyJb.c', name: 'ep1', key: 'abc' })), 'application/json');
    expect(json).toEqual({ access_token: '<redacted jwt>', name: 'ep1', key: '<redacted>' });
  });
});

describe('faults', () => {
  it('applies a fault the scripted number of times, then no more', () => {
    const faults = new FaultScript();
    faults.add(parseFaultSpec({ match: { method: 'GET', pathRegex: '/onlineEndpoints/' }, times: 2, response: { status: 503 } }));
    const path = '/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e';
    expect(faults.take('PUT', path)).toBeUndefined();
    expect(faults.take('GET', path)).toEqual({ status: 503 });
    expect(faults.take('GET', path)).toEqual({ status: 503 });
    expect(faults.take('GET', path)).toBeUndefined();
  });

  it('rejects a fault without a status or drop', () => {
    expect(() => parseFaultSpec({ match: { pathRegex: 'x' }, response: {} })).toThrow(TestbedHttpError);
  });
});
