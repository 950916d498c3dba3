/**
 * Uploads the smoke test's annotated PNGs and plan.json as one workflow artifact (artifacts v4,
 * through @actions/artifact), so a plain `uses:` of the action gets them without an
 * actions/upload-artifact step. Only on a runner that provides the results service
 * (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL); never throws: a failed upload is a warning, the
 * deploy's result stands.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Log } from '../log';

export interface SmokeTestArtifact {
  id: number;
  name: string;
  /** The artifact's page on GitHub (downloads the zip). */
  url: string;
  /** Names inside the zip. */
  files: string[];
  zipBytes: number;
}

export type ArtifactUpload =
  | { state: 'uploaded'; artifact: SmokeTestArtifact }
  | { state: 'skipped'; reason: string }
  | { state: 'failed'; reason: string; dir: string };

/** The part of @actions/artifact's client used here; tests may pass another. */
export interface ArtifactUploader {
  listArtifacts(): Promise<{ artifacts: { name: string }[] }>;
  uploadArtifact(name: string, files: string[], rootDirectory: string): Promise<{ id?: number; size?: number }>;
}

export interface UploadArgs {
  /** Where plan.json and the annotated images were written; undefined when the run failed before knowing it. */
  dir: string | undefined;
  /** When the run started (ms since epoch): older files in dir are from an earlier run. */
  since: number;
  env: NodeJS.ProcessEnv;
  log: Log;
  client?: ArtifactUploader;
}

/** A name conflict (HTTP 409) is retried under the next free name this many times. */
const NAME_ATTEMPTS = 3;

export async function uploadSmokeTestArtifact(args: UploadArgs): Promise<ArtifactUpload> {
  const skip = (reason: string): ArtifactUpload => {
    args.log.info(`Smoke-test artifact: skipped (${reason}).`);
    return { state: 'skipped', reason };
  };
  if (!args.env.ACTIONS_RUNTIME_TOKEN || !args.env.ACTIONS_RESULTS_URL) return skip('ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set: not on a GitHub Actions runner');
  if (isEnterpriseServer(args.env.GITHUB_SERVER_URL)) return skip('GitHub Enterprise Server does not support artifacts v4');
  if (!args.dir) return skip('the run stopped before it had an output directory');
  const dir = args.dir;
  try {
    const files = artifactFiles(dir, args.since);
    if (files.length === 0) return skip(`no plan.json or *.annotated.png from this run in ${dir}`);
    // Loaded only when uploading: evaluating the client and its zip/HTTP stack would slow every start.
    const client = args.client ?? new (await import('@actions/artifact')).DefaultArtifactClient();
    const base = artifactName(readPlanEndpoint(dir));
    // Names are unique per workflow run (a matrix or a second deploy in the job would collide).
    const taken = new Set((await client.listArtifacts().catch(() => ({ artifacts: [] }))).artifacts.map((a) => a.name));
    for (let attempt = 1; ; attempt++) {
      const name = freeName(base, taken);
      try {
        const paths = files.map((f) => path.join(dir, f));
        const result = await client.uploadArtifact(name, paths, dir);
        if (result.id === undefined) throw new Error('the results service returned no artifact id');
        const artifact = { id: result.id, name, url: artifactUrl(args.env, result.id), files, zipBytes: result.size ?? 0 };
        args.log.info(`Smoke-test artifact: ${name} (${files.length} files, ${artifact.zipBytes} bytes zipped): ${artifact.url}`);
        return { state: 'uploaded', artifact };
      } catch (e) {
        if (!/\(409\)/.test((e as Error).message) || attempt >= NAME_ATTEMPTS) throw e;
        taken.add(name);
      }
    }
  } catch (e) {
    const reason = (e as Error).message ?? String(e);
    args.log.warning(`The smoke-test images were not uploaded as an artifact (the deploy is not affected): ${reason}`);
    return { state: 'failed', reason, dir };
  }
}

/** plan.json and the annotated images written since `since`, as names relative to dir, sorted. */
export function artifactFiles(dir: string, since: number): string[] {
  if (!fs.existsSync(dir)) return [];
  // 2 s of slack: some file systems keep modification times in whole (or even) seconds.
  const fresh = (name: string) => fs.statSync(path.join(dir, name)).mtimeMs >= since - 2000;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && (e.name === 'plan.json' || e.name.endsWith('.annotated.png')) && fresh(e.name))
    .map((e) => e.name)
    .sort();
}

/** `smoke-test-<endpoint>`; the characters artifact names may not contain become '-'. */
export function artifactName(endpoint: string | undefined): string {
  const clean = (endpoint ?? '').replace(/[":<>|*?\r\n\\/]/g, '-').trim();
  return clean ? `smoke-test-${clean}` : 'smoke-test';
}

export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** https://github.com/OWNER/REPO/actions/runs/RUN/artifacts/ID: the artifact's page, which downloads the zip. */
export function artifactUrl(env: NodeJS.ProcessEnv, id: number): string {
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`;
}

/** Same rule as @actions/artifact: github.com, *.ghe.com (data residency) and *.localhost are not GHES. */
function isEnterpriseServer(serverUrl: string | undefined): boolean {
  let host: string;
  try {
    host = new URL(serverUrl || 'https://github.com').hostname.toUpperCase();
  } catch {
    return false;
  }
  return host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST');
}

function readPlanEndpoint(dir: string): string | undefined {
  try {
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { endpoint?: { name?: unknown } };
    return typeof plan.endpoint?.name === 'string' ? plan.endpoint.name : undefined;
  } catch {
    return undefined;
  }
}
