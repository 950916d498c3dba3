/**
 * What a newcomer sees from `bash scripts/demo.sh`: the action's log rendered as GitHub shows it
 * (no raw workflow command), no warning from npm or node, the artifact link the test bed's results
 * service hands out (that it downloads the zip: artifact-upload.test.ts), and the total time at the end.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../../testbed/action-runner';
import { WORKFLOW_COMMAND_LINE } from '../../../testbed/workflow-log';

let demo: { code: number | null; out: string; err: string };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-test-'));

beforeAll(async () => {
  const child = spawn('bash', ['scripts/demo.sh'], { cwd: REPO_ROOT, env: { ...process.env, DEMO_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  demo = { code, out, err };
}, 300000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('deploys, and shows no raw workflow command', () => {
  expect(demo.code).toBe(0);
  expect(demo.out.split('\n').filter((l) => WORKFLOW_COMMAND_LINE.test(l))).toEqual([]);
  // The groups the action opens, as headings.
  const headings = demo.out.split('\n').filter((l) => l.startsWith('▸ '));
  expect(headings).toEqual(['▸ Model source', '▸ Plan (read-only)', '▸ Upload, image and endpoint', '▸ Deployment', '▸ Smoke test', '▸ Traffic', '▸ Report']);
});

it('prints no warning: none from npm, node or the action', () => {
  expect(demo.err).toBe('');
  expect(demo.out + demo.err).not.toMatch(/npm warn|DeprecationWarning|^\s*Warning:/im);
});

it("links the artifact where the test bed's results service keeps it, not a made-up GitHub page", async () => {
  expect(demo.out).not.toMatch(/github\.com\/octo-org/);
  const url = /^\s*Smoke-test artifact: smoke-test-triton-tao-endpoint \(3 files, \d+ bytes zipped\): (https:\S+)$/m.exec(demo.out)?.[1];
  expect(url).toMatch(/\/actions-results\/.+\/artifacts\/\d+\.zip\?.*sp=r/);
  const summary = fs.readFileSync(path.join(dir, 'demo-output', 'job-summary.md'), 'utf8');
  expect(summary).not.toMatch(/github\.com\/octo-org/);
  // The same blob (each signed URL has its own validity window).
  expect(summary).toContain(url!.split('?')[0]);
});

it("shows the GitHub environment's URL (the scoring URI) and the latency figures", () => {
  expect(demo.out).toMatch(/^GitHub environment 'triton-tao-endpoint': deployment \d+ in_progress -> success, environment URL https:\/\/\S+\/score$/m);
  expect(demo.out).toMatch(/^Latency: street\.\w+: 20 request\(s\): p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms, [\d.]+ requests\/s$/m);
});

it('ends with the total time', () => {
  expect(demo.out.trimEnd().split('\n').at(-1)).toMatch(/^Total time: \d+\.\d s$/);
});
