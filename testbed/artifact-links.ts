/**
 * The demo runs the action as if in the workflow run octo-org/detector-models #4242 on github.com,
 * so the artifact page URL the action prints leads nowhere. This swaps it for the download URL the
 * test bed's results service hands out for that artifact (GetSignedArtifactURL, as a later job's
 * download would ask), or drops it when the service has none.
 */
import * as fs from 'fs';
import * as https from 'https';
import { RUNNER_GITHUB } from './action-runner';
import { control } from './control-client';
import type { ArtifactRecord } from './github-results/artifact-store';
import { ARTIFACT_SERVICE } from './github-results/register';
import type { TestbedSettings } from './settings';

/** The page URL the action composes for artifact N in the runner environment runAction sets up. */
export function artifactPagePattern(): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`${escape(`${RUNNER_GITHUB.serverUrl}/${RUNNER_GITHUB.repository}/actions/runs/${RUNNER_GITHUB.runId}/artifacts/`)}(\\d+)`, 'g');
}

function postJson(url: string, caFile: string, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', ca: fs.readFileSync(caFile), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // a non-JSON error body: the status says enough
          }
          resolve({ status: res.statusCode ?? 500, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The results service's signed download URL of artifact `id`, or undefined when it has none. */
export async function artifactDownloadUrl(settings: TestbedSettings, id: number): Promise<string | undefined> {
  try {
    const record = (await control<ArtifactRecord[]>(settings, 'GET', '/github/artifacts')).find((r) => r.id === id && r.state === 'finalized');
    if (!record) return undefined;
    const job = await control<{ token: string; resultsUrl: string; workflowRunBackendId: string; workflowJobRunBackendId: string }>(settings, 'POST', '/github/runtime-token');
    const res = await postJson(`${job.resultsUrl.replace(/\/$/, '')}${ARTIFACT_SERVICE}/GetSignedArtifactURL`, settings.caFile, job.token, {
      workflow_run_backend_id: job.workflowRunBackendId,
      workflow_job_run_backend_id: job.workflowJobRunBackendId,
      name: record.name,
    });
    return res.status === 200 && typeof res.json.signed_url === 'string' ? res.json.signed_url : undefined;
  } catch {
    return undefined;
  }
}

/** `text` with each artifact page URL replaced by its download URL, or removed (with a ': ' before it) when there is none. */
export async function withTestbedArtifactLinks(settings: TestbedSettings, text: string): Promise<string> {
  const ids = [...new Set([...text.matchAll(artifactPagePattern())].map((m) => Number(m[1])))];
  let out = text;
  for (const id of ids) {
    const url = await artifactDownloadUrl(settings, id);
    const page = `${RUNNER_GITHUB.serverUrl}/${RUNNER_GITHUB.repository}/actions/runs/${RUNNER_GITHUB.runId}/artifacts/${id}`;
    out = url ? out.split(page).join(url) : out.split(`: ${page}`).join('').split(page).join('');
  }
  return out;
}
