/**
 * Issue 12.1: a call the service never answers ends with the run, by timeout-minutes or by SIGTERM,
 * and the message names the operation that was held. The test bed holds the request
 * ({ hang: true }) until the test bed stops, so a run that waited for it would never end.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const base = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('hung-calls');
}, 180000);
afterAll(async () => fx?.stop());
afterEach(async () => {
  await control(fx.testbed.settings, 'DELETE', '/faults');
});

interface Held {
  method: string;
  path: string;
}
const held = () => control<Held[]>(fx.testbed.settings, 'GET', '/faults/held');

/** Resolves once the test bed holds a request whose path matches. */
async function holding(path: RegExp): Promise<void> {
  for (;;) {
    if ((await held()).some((h) => path.test(h.path))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Uploads are content-addressed: a new model version folder makes the next run upload again. */
let nextVersion = 2;
function newModelContent(): void {
  const model = path.join(fx.workspace, base['model-repository'], 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
}

/** The log as a person reads it: workflow commands escape '%' and newlines. */
const readable = (log: string) => log.replace(/%0A/g, '\n').replace(/%25/g, '%');

// The environment version is named after the image digest: its cases come first, before any run registers it.
const calls: { call: string; method: string; path: string; operation: RegExp; timeoutMinutes: string }[] = [
  { call: 'environment PUT', method: 'PUT', path: '/environments/[^/]+/versions/[^/]+$', operation: /Registering environment '[^']+' version [0-9a-f]+ failed/, timeoutMinutes: '1' },
  { call: 'workspace read', method: 'GET', path: '/workspaces/[^/]+$', operation: /Reading workspace '[^']+' in resource group '[^']+' failed/, timeoutMinutes: '0.2' },
  { call: 'listSecrets', method: 'POST', path: '/datastores/[^/]+/listSecrets$', operation: /Reading the credentials of datastore 'workspaceblobstore' failed/, timeoutMinutes: '0.3' },
  { call: 'blob upload', method: 'PUT', path: '/triton-models/.+/model_repository/', operation: /Uploading '[^']+' to 'workspaceblobstore\/triton-models\/[0-9a-f]+\/model_repository' failed/, timeoutMinutes: '0.3' },
];

describe.each(calls)('a hung $call', ({ call, method, path: pathRegex, operation, timeoutMinutes }) => {
  const name = `hung-${call.split(' ')[0].toLowerCase()}`;
  const hang = () => {
    if (call === 'blob upload') newModelContent();
    return control(fx.testbed.settings, 'POST', '/faults', { match: { method, pathRegex }, times: 100, response: { hang: true } });
  };

  it(`ends by timeout-minutes, naming the ${call}`, async () => {
    await hang();
    const run = await fx.run({ ...base, 'endpoint-name': `${name}-t`, 'timeout-minutes': timeoutMinutes });
    const log = readable(run.log);
    expect({ code: run.exitCode, held: (await held()).length, log: run.exitCode === 1 ? '' : tail(run) }).toEqual({ code: 1, held: 0, log: '' });
    expect(log).toMatch(new RegExp(`::error::Stopped: timed out after ${timeoutMinutes} minutes \\(timeout-minutes\\)\\.[^]*${operation.source}`));
  }, 240000);

  it(`ends within seconds of SIGTERM, naming the ${call}`, async () => {
    await hang();
    const run = await fx.runWith({ inputs: { ...base, 'endpoint-name': `${name}-s` }, killOn: holding(new RegExp(pathRegex, 'i')) });
    const log = readable(run.log);
    expect({ code: run.exitCode, held: (await held()).length, log: run.exitCode === 1 ? '' : tail(run) }).toEqual({ code: 1, held: 0, log: '' });
    expect(log).toMatch(/Received SIGTERM/);
    expect(log).toMatch(new RegExp(`::error::Stopped: cancelled by SIGTERM\\.[^]*${operation.source}`));
  }, 240000);
});
