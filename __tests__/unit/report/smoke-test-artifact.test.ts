import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { artifactFiles, artifactName, artifactUrl, freeName, uploadSmokeTestArtifact, type ArtifactUploader } from '../../../src/report/smoke-test-artifact';
import type { Log } from '../../../src/log';

const GITHUB_ENV = {
  ACTIONS_RUNTIME_TOKEN: 'header.payload.signature', ACTIONS_RESULTS_URL: 'https://results.example/',
  GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo-org/models', GITHUB_RUN_ID: '77',
};

function recorder(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warning: (m) => lines.push(`warning ${m}`), debug: () => {} };
}

function outputDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-unit-'));
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ endpoint: { name: 'detector' } }));
  fs.writeFileSync(path.join(dir, 'street.png.annotated.png'), 'png');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x');
  return dir;
}

/** Records calls; names in `existing` are taken, `conflicts` answer like the service's 409. */
function fakeClient(existing: string[] = [], conflicts: string[] = []): ArtifactUploader & { uploads: { name: string; files: string[] }[] } {
  const uploads: { name: string; files: string[] }[] = [];
  return {
    uploads,
    listArtifacts: async () => ({ artifacts: existing.map((name) => ({ name })) }),
    uploadArtifact: async (name, files) => {
      uploads.push({ name, files: files.map((f) => path.basename(f)) });
      if (conflicts.includes(name)) throw new Error('Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run');
      return { id: 42, size: 1234 };
    },
  };
}

it('uploads plan.json and the annotated PNGs of this run, named after the endpoint, and builds the link', async () => {
  const dir = outputDir();
  const client = fakeClient();
  const log = recorder();
  const result = await uploadSmokeTestArtifact({ dir, since: Date.now() - 1000, env: GITHUB_ENV, log, client });
  expect(client.uploads).toEqual([{ name: 'smoke-test-detector', files: ['plan.json', 'street.png.annotated.png'] }]);
  expect(result).toEqual({
    state: 'uploaded',
    artifact: { id: 42, name: 'smoke-test-detector', url: 'https://github.com/octo-org/models/actions/runs/77/artifacts/42', files: ['plan.json', 'street.png.annotated.png'], zipBytes: 1234 },
  });
});

it('skips with one line when the runner gives no results service', async () => {
  const log = recorder();
  const client = fakeClient();
  const result = await uploadSmokeTestArtifact({ dir: outputDir(), since: 0, env: { ...GITHUB_ENV, ACTIONS_RESULTS_URL: '' }, log, client });
  expect(result.state).toBe('skipped');
  expect(log.lines).toEqual([expect.stringMatching(/^info Smoke-test artifact: skipped \(ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set/)]);
  expect(client.uploads).toEqual([]);
});

it('skips on GitHub Enterprise Server, which has no artifacts v4', async () => {
  const result = await uploadSmokeTestArtifact({ dir: outputDir(), since: 0, env: { ...GITHUB_ENV, GITHUB_SERVER_URL: 'https://github.corp.example' }, log: recorder(), client: fakeClient() });
  expect(result).toEqual({ state: 'skipped', reason: expect.stringContaining('Enterprise Server') });
});

it('takes the next free name, and the one after when another job took it meanwhile', async () => {
  const client = fakeClient(['smoke-test-detector'], ['smoke-test-detector-2']);
  const result = await uploadSmokeTestArtifact({ dir: outputDir(), since: 0, env: GITHUB_ENV, log: recorder(), client });
  expect(client.uploads.map((u) => u.name)).toEqual(['smoke-test-detector-2', 'smoke-test-detector-3']);
  expect(result.state === 'uploaded' && result.artifact.name).toBe('smoke-test-detector-3');
});

it('turns a failed upload into a warning and a result, never an exception', async () => {
  const dir = outputDir();
  const log = recorder();
  const client: ArtifactUploader = { listArtifacts: async () => Promise.reject(new Error('down')), uploadArtifact: async () => Promise.reject(new Error('Failed to CreateArtifact: (503)')) };
  const result = await uploadSmokeTestArtifact({ dir, since: 0, env: GITHUB_ENV, log, client });
  expect(result).toEqual({ state: 'failed', reason: 'Failed to CreateArtifact: (503)', dir });
  expect(log.lines).toEqual(['warning The smoke-test images were not uploaded as an artifact (the deploy is not affected): Failed to CreateArtifact: (503)']);
});

it('leaves out files an earlier run left in the output directory', () => {
  const dir = outputDir();
  const old = path.join(dir, 'old.jpg.annotated.png');
  fs.writeFileSync(old, 'png');
  const hourAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(old, hourAgo, hourAgo);
  expect(artifactFiles(dir, Date.now() - 1000)).toEqual(['plan.json', 'street.png.annotated.png']);
  expect(artifactFiles(path.join(dir, 'missing'), 0)).toEqual([]);
});

it('makes names GitHub accepts and links on the configured server', () => {
  expect(artifactName('a/b:c')).toBe('smoke-test-a-b-c');
  expect(artifactName(undefined)).toBe('smoke-test');
  expect(freeName('x', new Set(['x', 'x-2']))).toBe('x-3');
  expect(artifactUrl({ GITHUB_SERVER_URL: 'https://octo.ghe.com/', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '5' }, 9)).toBe('https://octo.ghe.com/o/r/actions/runs/5/artifacts/9');
});
