import {
  parseAssetVersionId,
  parseDatastoreUri,
  parseImageReference,
  sameWorkspace,
  workspaceId,
} from '../../../testbed/machine-learning/arm-ids';

const scope = { subscriptionId: 'sub-1', resourceGroup: 'rg-ml', workspace: 'ws1' };

describe('ARM ids and Azure ML URIs', () => {
  it('builds a workspace id with ARM casing', () => {
    expect(workspaceId(scope)).toBe('/subscriptions/sub-1/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1');
  });

  it('parses a model version id whatever the casing of its literal segments', () => {
    const id = '/subscriptions/sub-1/resourcegroups/rg-ml/providers/microsoft.machinelearningservices/workspaces/ws1/models/detector/versions/3';
    expect(parseAssetVersionId(id)).toEqual({ ...scope, kind: 'models', name: 'detector', version: '3' });
  });

  it('parses an environment version id with the CLI azureml: prefix', () => {
    const id = `azureml:${workspaceId(scope)}/environments/triton-env/versions/abc123`;
    expect(parseAssetVersionId(id)).toMatchObject({ kind: 'environments', name: 'triton-env', version: 'abc123' });
  });

  it.each([
    'azureml:detector:3',
    `${workspaceId(scope)}/models/detector`,
    `${workspaceId(scope)}/datastores/x/versions/1`,
  ])('rejects %s as a version id', (id) => {
    expect(parseAssetVersionId(id)).toBeUndefined();
  });

  it('compares workspaces case-insensitively', () => {
    expect(sameWorkspace(scope, { subscriptionId: 'SUB-1', resourceGroup: 'RG-ML', workspace: 'WS1' })).toBe(true);
    expect(sameWorkspace(scope, { ...scope, workspace: 'ws2' })).toBe(false);
  });

  it('parses the long datastore URI form', () => {
    const uri = 'azureml://subscriptions/sub-1/resourcegroups/rg-ml/workspaces/ws1/datastores/workspaceblobstore/paths/models/abc/repo/';
    expect(parseDatastoreUri(uri)).toEqual({ scope, datastore: 'workspaceblobstore', path: 'models/abc/repo' });
  });

  it('parses the short datastore URI form without a workspace', () => {
    expect(parseDatastoreUri('azureml://datastores/workspaceblobstore/paths/LocalUpload/x/model.onnx')).toEqual({
      datastore: 'workspaceblobstore',
      path: 'LocalUpload/x/model.onnx',
    });
  });

  it.each(['https://acct.blob.core.windows.net/c/p', 'azureml://datastores/ds', 'azureml:detector:1'])('does not take %s for a datastore URI', (uri) => {
    expect(parseDatastoreUri(uri)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1:5443/detector/triton:abc', { host: '127.0.0.1:5443', repository: 'detector/triton', reference: 'abc' }],
    ['myacr.azurecr.io/triton', { host: 'myacr.azurecr.io', repository: 'triton', reference: 'latest' }],
    ['nvcr.io/nvidia/tritonserver:24.01-py3', { host: 'nvcr.io', repository: 'nvidia/tritonserver', reference: '24.01-py3' }],
    ['ubuntu:22.04', { host: 'docker.io', repository: 'ubuntu', reference: '22.04' }],
    [`localhost:5000/app@sha256:${'a'.repeat(64)}`, { host: 'localhost:5000', repository: 'app', reference: `sha256:${'a'.repeat(64)}` }],
  ])('splits image reference %s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });

  it.each(['Registry.io/UPPER:1', 'host.io/app@sha256:short', 'host.io/'])('rejects malformed image reference %s', (image) => {
    expect(parseImageReference(image)).toBeUndefined();
  });
});
