/**
 * Issue 12, two faults the reliability suite found misbehaving: a dropped connection at the registry
 * build's calls (the blob upload PUT through the ACR front), recovered when it passes, and a 401 on
 * an Azure ML long-running operation's status poll. A lasting one fails at once, naming the
 * operation, instead of a JavaScript "fetch failed" or a wait past timeout-minutes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = (endpoint: string) => ({
  'model-repository': repo,
  'model-name': `m-${endpoint}`,
  'endpoint-name': endpoint,
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  'base-image-username': fx.testbed.settings.baseImageUsername,
  'base-image-password': fx.testbed.settings.baseImagePassword,
  'timeout-minutes': '1',
});

type Logged = { method: string; url: string; status: number; fault?: string };
const faultedCalls = async (method: string, pathRegex: RegExp) =>
  (await control<Logged[]>(fx.testbed.settings, 'GET', '/requests')).filter((r) => r.fault !== undefined && r.method === method && pathRegex.test(r.url.split('?')[0])).length;
const inject = (method: string, pathRegex: string, times: number, response: unknown) =>
  control(fx.testbed.settings, 'POST', '/faults', { match: { method, pathRegex }, times, response });
const readable = (log: string) => log.replace(/%0A/g, '\n').replace(/%25/g, '%');

/** New model content: a new image config blob (the Dockerfile copies nothing, but the tag follows the content) and a new upload. */
let nextVersion = 2;
const changeModelContent = () => {
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
};

const BLOB_PUT = '^/v2/.+/blobs/uploads/.+';
const POLL = '/mfeOperationsStatus/';

beforeAll(async () => {
  fx = await startFixture('registry-and-poll-faults', { docker: false });
}, 180000);
afterEach(() => control(fx.testbed.settings, 'DELETE', '/faults'));
afterAll(async () => fx?.stop());

describe('a dropped connection at the registry blob upload PUT', () => {
  it('once: the upload is tried again and the deploy converges', async () => {
    await control(fx.testbed.settings, 'POST', '/reset-log');
    await inject('PUT', BLOB_PUT, 1, { drop: true });
    const run = await fx.run(inputs('blob-drop-once'));
    expect({ code: run.exitCode, log: run.exitCode ? tail(run, 60) : '' }).toEqual({ code: 0, log: '' });
    expect(await faultedCalls('PUT', /\/blobs\/uploads\//)).toBe(1);
    const endpoint = (await fx.state()).endpoints.find((e) => e.name === 'blob-drop-once')!;
    expect(endpoint.traffic).toEqual({ [run.outputs['deployment-name']]: 100 });
  }, 300000);

  it('lasting: fails naming the registry call and what to check, with no JavaScript error text', async () => {
    changeModelContent();
    await inject('PUT', BLOB_PUT, 100, { drop: true });
    const run = await fx.run(inputs('blob-drop-lasting'));
    const log = readable(run.log);
    expect({ code: run.exitCode, log: run.exitCode === 1 ? '' : tail(run, 60) }).toEqual({ code: 1, log: '' });
    expect(log).toMatch(/::error::.*PUT \/v2\/[^ ]+\/blobs\/uploads\/[^ ]+ on 127\.0\.0\.1:\d+ failed after \d+ tries: no answer/);
    expect(log).toMatch(/Hint: the registry 127\.0\.0\.1:\d+ kept failing/);
    expect(log).not.toMatch(/fetch failed|TypeError/);
    expect(log).not.toMatch(/timed out after 1 minutes/);
  }, 300000);
});

describe('a 401 on the status poll of an Azure ML long-running operation', () => {
  // The endpoint's LRO runs beside the model upload, held here so it is in flight when the poll fails:
  // the run must fail at once and end, though the aborted upload had a per-try timer running (it kept
  // the failed run alive for two minutes, past timeout-minutes).
  it('fails at once naming the operation and the refusal, and the run ends; the clean re-run converges', async () => {
    changeModelContent();
    await inject('PUT', '/triton-models/.+/model_repository/', 1, { delayMs: 30_000 });
    await inject('GET', POLL, 1, { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } } });
    // SIGTERM past timeout-minutes (1) and its grace: a run still alive then did not end by itself.
    const run = await fx.runWith({ inputs: inputs('poll-401'), killAfterMs: 80_000 });
    const log = readable(run.log);
    expect({ code: run.exitCode, signal: run.signal, sigterm: /Received SIGTERM/.test(log), log: run.exitCode === 1 ? '' : tail(run, 60) }).toEqual({ code: 1, signal: undefined, sigterm: false, log: '' });
    expect(log).not.toMatch(/timed out after 1 minutes/);
    expect(log).toMatch(/::error::Creating endpoint 'poll-401' failed \(InvalidAuthenticationToken\): HTTP 401/);
    await control(fx.testbed.settings, 'DELETE', '/faults');
    const again = await fx.run(inputs('poll-401'));
    expect({ code: again.exitCode, log: again.exitCode ? tail(again, 60) : '' }).toEqual({ code: 0, log: '' });
    const endpoint = (await fx.state()).endpoints.find((e) => e.name === 'poll-401')!;
    expect(endpoint.traffic).toEqual({ [again.outputs['deployment-name']]: 100 });
  }, 300000);
});
