/**
 * Issue 12 (7): bad inputs through the whole action. Each is refused before any Azure call (no ARM
 * request at all, so no write), with a message naming the input or file, and the log quotes only a
 * short excerpt of a huge value (a 20 MB value once made a 42 MB log). The unit corpus
 * (__tests__/unit/config/bad-input-corpus.test.ts) has more cases; these are the ones the issue saw.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const MiB = 1024 * 1024;

beforeAll(async () => {
  fx = await startFixture('bad-inputs');
  const dir = path.join(fx.workspace, 'bad');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'deployment-20mb.yml'), `name: blue\ndescription: ${'x'.repeat(20 * MiB)}\n`);
  fs.writeFileSync(path.join(dir, 'endpoint-long-description.yml'), `name: detector\ndescription: ${'d'.repeat(6000)}\n`);
  fs.writeFileSync(path.join(dir, 'endpoint-alias.yml'), 'name: detector\ntags: *env\n');
  fs.writeFileSync(path.join(dir, 'deployment-tag-list.yml'), `tags:\n  owner: [${'o'.repeat(200_000)}]\n`);
  fs.writeFileSync(path.join(dir, 'labels-1mb.txt'), Array.from({ length: 120_000 }, (_, i) => `class-${i}`).join('\n').slice(0, MiB - 1));
  fs.writeFileSync(path.join(dir, 'labels-5.txt'), 'car\nbicycle\nperson\nroad_sign\ntree\n');
  const repo = path.join(dir, 'model_repository');
  fs.cpSync(path.join(fx.workspace, 'samples/tao-detectnet-v2/model_repository'), repo, { recursive: true });
  fs.truncateSync(path.join(repo, 'detectnet_tao/config.pbtxt'), 50 * MiB);
}, 180000);
afterAll(async () => fx?.stop());

const base = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

const CASES: { what: string; inputs: Record<string, string>; message: RegExp }[] = [
  { what: 'a deployment file with a 20 MB value', inputs: { 'deployment-file': 'bad/deployment-20mb.yml' }, message: /bad\/deployment-20mb\.yml is 20\.0 MiB; a Azure ML YAML file may be at most 256 KiB/ },
  { what: 'a description longer than Azure accepts', inputs: { 'endpoint-file': 'bad/endpoint-long-description.yml' }, message: /bad\/endpoint-long-description\.yml: description is 6000 characters/ },
  { what: 'an alias to no anchor', inputs: { 'endpoint-file': 'bad/endpoint-alias.yml' }, message: /bad\/endpoint-alias\.yml: its YAML aliases \(\*name\) cannot be resolved/ },
  { what: 'a tag holding a 200 KB list', inputs: { 'deployment-file': 'bad/deployment-tag-list.yml' }, message: /'tags\.owner' must be a string, number or boolean, found \["o+… \(200004 characters as JSON\)/ },
  { what: 'a 1 MB labels file', inputs: { 'labels-file': 'bad/labels-1mb.txt' }, message: /bad\/labels-1mb\.txt lists \d+ labels; at most 10000/ },
  { what: 'labels that do not fit the model', inputs: { 'labels-file': 'bad/labels-5.txt' }, message: /labels-file 'labels-5\.txt' lists 5 labels \(car, bicycle, person, road_sign, tree\) but model 'detectnet_tao' \(detectnet_tao\/config\.pbtxt\) has 3 classes/ },
  { what: 'a 50 MB config.pbtxt', inputs: { 'model-repository': 'bad/model_repository' }, message: /bad\/model_repository\/detectnet_tao\/config\.pbtxt is 50\.0 MiB; a config\.pbtxt may be at most 1\.0 MiB/ },
];

it.each(CASES.map((c) => [c.what, c] as const))('refuses %s before any Azure call, with a short log', async (_what, c) => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run({ ...base, ...c.inputs });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(c.message);
  // A short excerpt at most, even when the value was megabytes.
  expect(run.log.length).toBeLessThan(20_000);
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  expect(requests.filter((r) => /\/subscriptions\//.test(r.url)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  if (run.exitCode !== 1) throw new Error(tail(run));
});
