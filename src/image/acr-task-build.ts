/**
 * A user Dockerfile built by ACR Tasks, as `az acr build` does it: the context (minus .dockerignore)
 * goes up as a tar.gz to the SAS URL from listBuildSourceUploadUrl, scheduleRun starts a
 * DockerBuildRequest that pushes to the registry, and the run's log (a blob behind listLogSasUrl) is
 * read with Range requests as it grows and copied into the job log. A failed run fails with the
 * log's tail. Nothing but the context passes through the runner.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Log } from '../log';
import { AcrTasksError, TERMINAL, type AcrTasksClient, type Run } from './acr-tasks-client';
import { listContext, writeContextArchive } from './build-context-archive';
import { currentCallSignal } from '../azure/call-limits';
import { abortableSleep } from '../transient-retry';

export class AcrTaskRunError extends Error {
  override name = 'AcrTaskRunError';
}

/**
 * The registry cannot run tasks, so docker on the runner is the way: ARM's TasksOperationsNotAllowed
 * (400, free-trial subscriptions and registries where Tasks are blocked, e.g.
 * Azure-Samples/azure-search-openai-demo#2220) or 403 (the identity lacks
 * Microsoft.ContainerRegistry/registries/scheduleRun/action or listBuildSourceUploadUrl/action:
 * AcrPush does not grant them, Azure/acr#174).
 */
export function tasksRefused(e: unknown): e is AcrTasksError {
  return e instanceof AcrTasksError && (e.code === 'TasksOperationsNotAllowed' || e.status === 403);
}

/** The SAS part of a URL is a secret: mask it before anything can print it. */
function maskSas(url: string, mask: (s: string) => void): void {
  const q = new URL(url).search.slice(1);
  if (q) mask(q);
  const sig = new URL(url).searchParams.get('sig');
  if (sig) mask(sig);
}

/** Reads the log blob from `offset` on; 404 (not written yet) and 416 (nothing new) are empty reads. */
async function readLogFrom(logUrl: string, offset: number): Promise<Buffer> {
  const res = await fetch(logUrl, { headers: { range: `bytes=${offset}-`, 'x-ms-version': '2021-08-06' } });
  if (res.status === 404 || res.status === 416) {
    await res.arrayBuffer();
    return Buffer.alloc(0);
  }
  if (res.status !== 200 && res.status !== 206) throw new Error(`reading the run log answered ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  // A 200 is the whole blob (a server that ignores Range): keep only what is new.
  return res.status === 200 ? data.subarray(offset) : data;
}

export interface AcrTaskBuild {
  runId: string;
  digest?: string;
  /** The context archive's size: all the runner sent for the build. */
  uploadedBytes: number;
  excluded: number;
}

export async function buildWithAcrTask(args: {
  tasks: AcrTasksClient;
  contextDir: string;
  dockerfile: string;
  image: { repository: string; tag: string };
  log: Log;
  mask: (s: string) => void;
  pollMs?: number;
  timeoutSeconds?: number;
}): Promise<AcrTaskBuild> {
  const { tasks, log } = args;
  const pollMs = args.pollMs ?? 1000;
  const { entries, excluded, dockerfilePath } = await listContext(args.contextDir, args.dockerfile);
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'aml-triton-context-'));
  let uploadedBytes: number;
  let run: Run;
  try {
    const archive = path.join(tmp, 'context.tar.gz');
    uploadedBytes = await writeContextArchive(entries, archive);
    log.info(`  packed ${entries.filter((e) => e.type === 'file').length} files of ${args.contextDir} (${uploadedBytes} B gzipped)${excluded.length ? `; ${excluded.length} excluded by .dockerignore and the default VCS rules` : ''}`);
    const source = await tasks.getBuildSourceUploadUrl();
    maskSas(source.uploadUrl, args.mask);
    const put = await fetch(source.uploadUrl, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2021-08-06', 'content-type': 'application/gzip' },
      body: await fs.promises.readFile(archive),
    });
    if (put.status !== 201) throw new Error(`uploading the build context answered ${put.status}: ${(await put.text()).slice(0, 300)}`);
    run = await tasks.scheduleRun({
      type: 'DockerBuildRequest',
      imageNames: [`${args.image.repository}:${args.image.tag}`],
      isPushEnabled: true,
      noCache: false,
      dockerFilePath: dockerfilePath,
      sourceLocation: source.relativePath,
      platform: { os: 'Linux', architecture: 'amd64' },
      timeout: args.timeoutSeconds ?? 3600,
    });
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
  log.info(`  ACR task run ${run.runId} queued: building ${args.image.repository}:${args.image.tag} from ${dockerfilePath}`);

  const logUrl = await tasks.getLogSasUrl(run.runId);
  maskSas(logUrl, args.mask);
  let offset = 0;
  let partial = '';
  const lines: string[] = [];
  const drain = async (): Promise<void> => {
    const data = await readLogFrom(logUrl, offset);
    offset += data.length;
    const text = partial + data.toString('utf8');
    const parts = text.split(/\r?\n/);
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      log.info(`  | ${line}`);
    }
  };
  while (!TERMINAL.includes(run.status)) {
    await drain();
    await abortableSleep(pollMs, currentCallSignal());
    run = await tasks.getRun(run.runId);
  }
  await drain();
  if (partial) {
    lines.push(partial);
    log.info(`  | ${partial}`);
  }
  if (run.status !== 'Succeeded') {
    const tail = lines.slice(-20).join('\n');
    throw new AcrTaskRunError(`ACR task run ${run.runId} ended ${run.status}${run.runErrorMessage ? ` (${run.runErrorMessage})` : ''}; the end of its log:\n${tail}`);
  }
  const out = run.outputImages?.find((o) => o.repository === args.image.repository && o.tag === args.image.tag);
  return { runId: run.runId, digest: out?.digest, uploadedBytes, excluded: excluded.length };
}
