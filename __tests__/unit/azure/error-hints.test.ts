import { RestError } from '@azure/core-rest-pipeline';
import { azureError } from '../../../src/azure/azure-errors';
import { endpointIdentityLabel, hintFor } from '../../../src/azure/error-hints';

const identity = 'system-assigned identity (principal id 1b2c3d4e-0000-4000-8000-000000000001)';
const registry = 'crdetector.azurecr.io';

describe('hints for the deployment errors of the troubleshooting guide', () => {
  it.each([
    ['ImageBuildFailure', 'Image build failed, see the build log under the storage account ...', /build log in the workspace's default storage.*sync-keys/],
    ['OperationCanceled', 'The operation was canceled by another operation with a higher priority.', /took precedence.*wait a minute and re-run/],
    ['SecretsInjectionError', 'Failed to inject secrets into the deployment.', new RegExp(`${identity.replace(/[()]/g, '\\$&')} could not read the secrets.*key vault`)],
    ['WorkspaceManagedNetworkNotReady', 'The workspace managed network is not ready.', /managed virtual network is not provisioned yet.*provision-network/],
    ['RoleAssignmentLimitExceeded', 'No more role assignments can be created.', /limit of Azure role assignments.*delete unused role assignments/],
    ['OutOfQuota', 'Role assignment quota exceeded for the subscription.', /limit of Azure role assignments/],
    ['OutOfQuota', 'Not enough quota available for Standard_NC4as_T4_v3.', /request GPU quota for this VM family/],
    ['ImageNotFound', 'Image pull failed.', new RegExp(`${identity.replace(/[()]/g, '\\$&')} pulls the image.*AcrPull role on registry ${registry}`)],
    ['BadArgument', 'Unable to download user container image azureml/foo:1.', /AcrPull role on registry/],
    ['BadArgument', 'request_timeout_ms must be at most 180000.', /^a setting was rejected/],
  ])('%s (%s)', (code, message, hint) => {
    expect(hintFor(code, message, { endpointIdentity: identity, registry })).toMatch(hint);
  });

  it('names the registry generically when the caller does not know it', () => {
    expect(hintFor('ImageNotFound', '', {})).toMatch(/the endpoint's managed identity pulls the image.*AcrPull role on that registry/);
  });

  it('gives no hint for a code it does not know', () => {
    expect(hintFor('SomethingNew', 'x')).toBeUndefined();
    expect(hintFor(undefined, 'x')).toBeUndefined();
  });

  it('puts the hint under the error of a failed long-running operation', () => {
    const e = azureError(
      "Creating deployment 'blue' on endpoint 'detector'",
      new Error('The long-running operation has failed. ImageNotFound. Image pull failed: manifest unknown'),
      { endpointIdentity: identity, registry },
    );
    expect(e.code).toBe('ImageNotFound');
    expect(e.message).toMatch(/^Creating deployment 'blue' on endpoint 'detector' failed \(ImageNotFound\): Image pull failed: manifest unknown\nHint: the endpoint's system-assigned identity \(principal id 1b2c3d4e-/);
  });

  it('reads the code of an ARM error body', () => {
    const e = azureError('Creating endpoint', new RestError('x', { statusCode: 400, code: 'RoleAssignmentLimitExceeded' }));
    expect(e.message).toMatch(/\(RoleAssignmentLimitExceeded\)[\s\S]*Hint: the subscription has reached its limit of Azure role assignments/);
  });
});

describe('endpointIdentityLabel', () => {
  it.each([
    [{ type: 'SystemAssigned', principalId: 'p-1' }, 'system-assigned identity (principal id p-1)'],
    [{ type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull-id': { principalId: 'p-2' } } }, 'user-assigned identity pull-id (principal id p-2)'],
    [{ type: 'SystemAssigned' }, 'system-assigned identity'],
    [{ type: 'None' }, undefined],
    [undefined, undefined],
  ])('%j -> %s', (identity, label) => {
    expect(endpointIdentityLabel(identity)).toBe(label);
  });
});

describe('hints for faults that outlast the retries (issue 12)', () => {
  it.each([
    ['Conflict', 'Online endpoint has an operation in progress', /another operation .* kept the endpoint or deployment busy/],
    ['TooManyRequests', 'throttled', /kept throttling these requests through every retry/],
    ['InternalServerError', 'boom', /check Azure's status page/],
    ['ServerBusy', 'The server is busy.', /kept answering 503 ServerBusy/],
  ])('%s', (code, message, hint) => {
    expect(hintFor(code, message)).toMatch(hint);
  });
});

describe('azureError on answers that cannot be read', () => {
  it('says an answer is not valid JSON instead of quoting the SyntaxError', () => {
    const e = new RestError('Error "SyntaxError: Unexpected end of JSON input" occurred while parsing the response body - {"properties": {', { code: 'PARSE_ERROR', statusCode: 200 });
    const message = azureError("Reading workspace 'w'", e).message;
    expect(message).toBe("Reading workspace 'w' failed (PARSE_ERROR): HTTP 200: the answer is not valid JSON");
  });

  it('names the missing field instead of a TypeError', () => {
    let thrown: unknown;
    try {
      const answer = {} as { properties?: { provisioningState: string } };
      void answer.properties!.provisioningState;
    } catch (e) {
      thrown = e;
    }
    const message = azureError("Reading endpoint 'e'", thrown).message;
    expect(message).toBe("Reading endpoint 'e' failed: the answer could not be read: it has no 'provisioningState' where one is required");
  });
});
