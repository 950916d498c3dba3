/**
 * run() in process, through the typed @actions/core fixture: inputs the user must fix fail the step
 * with a message naming them, annotate the file and line where there is one, and reach no Azure
 * endpoint (every Azure URL points at a loopback listener that counts connections).
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { actionsCore } from './actions-core-fixture';

jest.mock('@actions/core', () => jest.requireActual('./actions-core-fixture').coreModule);

import { run } from '../../../src/main';

const SAMPLES = path.resolve(__dirname, '../../../samples');
let listener: net.Server;
let connections = 0;
let url = '';
let dir: string;

beforeAll(async () => {
  listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-inputs-'));
  fs.cpSync(path.join(SAMPLES, 'tao-detectnet-v2'), path.join(dir, 'tao'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'deployment.yml'), 'name: blue\nendpoint_name: detector\ninstance_type: Standard_NC4as_T4_v3\ninstance_count: 1\nrequest_setings:\n  request_timeout_ms: 5000\n');
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  connections = 0;
});
afterEach(() => actionsCore.end());

function start(inputs: Record<string, string>): void {
  actionsCore.begin({
    inputs: {
      'subscription-id': '00000000-0000-0000-0000-000000000001',
      'resource-group': 'rg',
      workspace: 'ws',
      'client-id': '11111111-1111-1111-1111-111111111111',
      'tenant-id': '22222222-2222-2222-2222-222222222222',
      'azure-authority-host': url,
      'azure-resource-manager-endpoint': url,
      'storage-blob-endpoint': url,
      'model-repository': 'tao/model_repository',
      'model-name': 'DetectNet',
      'endpoint-name': 'detector',
      'model-type': 'triton_model',
      'clustering-config': 'tao/clustering_config_detectnet.prototxt',
      'smoke-test-images': 'tao/images/street.png',
      ...inputs,
    },
    env: { GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir, ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-token', ACTIONS_RUNTIME_TOKEN: undefined },
  });
}

it('has no side effect on import', () => {
  expect(actionsCore.events).toEqual([]);
});

it('fails on a bad input with a message naming it, sets no output and makes no Azure call', async () => {
  start({ 'instance-count': 'three', 'traffic-steps': '10,200' });
  await run();
  expect(actionsCore.failures).toHaveLength(1);
  expect(actionsCore.failures[0]).toMatch(/^2 input problem\(s\):/);
  expect(actionsCore.failures[0]).toMatch(/instance-count.*three/);
  expect(actionsCore.failures[0]).toMatch(/traffic-steps.*200/);
  expect(actionsCore.outputs).toEqual({});
  expect(connections).toBe(0);
  // The report still runs, in its own group, and says what failed.
  expect(actionsCore.groups).toEqual(['Report']);
  expect(actionsCore.summary).toContain('❌ Triton deploy: failed');
  expect(actionsCore.summary).toContain('instance-count');
});

it("annotates a mistake in the user's deployment file at its line", async () => {
  start({ 'deployment-file': 'deployment.yml' });
  await run();
  expect(actionsCore.failures).toEqual([expect.stringMatching(/request_setings/)]);
  const annotation = actionsCore.events.find((e) => e.kind === 'error');
  expect(annotation).toMatchObject({ file: 'deployment.yml', line: 5 });
  expect(connections).toBe(0);
  expect(actionsCore.summary).toContain('request_setings');
});

it('fails when a required input is missing, naming it', async () => {
  start({ workspace: '' });
  await run();
  expect(actionsCore.failures).toEqual([expect.stringMatching(/workspace/)]);
  expect(connections).toBe(0);
});
