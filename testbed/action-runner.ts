/**
 * Runs the action's bundle (dist/index.js) the way the GitHub runner does: a node process with
 * INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, the runner's OIDC variables, a runtime
 * token for the results service (artifacts), and the test bed's CA trusted through NODE_EXTRA_CA_CERTS. Used by the demo and the integration tests.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { control } from './control-client';
import type { TestbedSettings } from './settings';
import { WorkflowLogRenderer } from './workflow-log';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The workflow run the action believes it is in (no such run exists on github.com). */
export const RUNNER_GITHUB = { serverUrl: 'https://github.com', repository: 'octo-org/detector-models', runId: '4242' };

export interface ActionRun {
  exitCode: number;
  /** The signal that ended the process, when one did (exitCode is then 1). */
  signal?: NodeJS.Signals;
  /** Everything the action printed (stdout and stderr, interleaved). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

/** The inputs that point the action at the test bed, as a user of a sovereign cloud would set them. */
export function testbedInputs(s: TestbedSettings): Record<string, string> {
  return {
    'subscription-id': s.subscriptionId,
    'resource-group': s.resourceGroup,
    workspace: s.workspace,
    'client-id': s.clientId,
    'tenant-id': s.tenantId,
    'azure-authority-host': s.authorityHost,
    'azure-resource-manager-endpoint': s.armEndpoint,
    'storage-blob-endpoint': s.storageBlobEndpoint,
  };
}

export async function runAction(args: {
  settings: TestbedSettings;
  inputs: Record<string, string>;
  workspaceDir: string;
  runnerTemp: string;
  /** Added last. ACTIONS_RUNTIME_TOKEN: '' runs the action as outside GitHub (no artifact upload). */
  env?: Record<string, string>;
  /** Show the output as GitHub's log view would (workflow commands applied): on stdout, or to this function. */
  echo?: boolean | ((rendered: string) => void);
  /** Send SIGTERM after this many ms (cancellation tests). */
  killAfterMs?: number;
  /** Send SIGTERM as soon as the log so far matches (cancellation at a given point of the run). */
  killWhen?: RegExp;
  /** Send SIGTERM when this settles (e.g. once the test bed holds a given request). */
  killOn?: Promise<unknown>;
  /** Called with the action's process id once it is started (memory sampling, a hard kill). */
  onSpawn?: (pid: number) => void;
}): Promise<ActionRun> {
  fs.mkdirSync(args.runnerTemp, { recursive: true });
  const outputFile = path.join(args.runnerTemp, 'github_output');
  const summaryFile = path.join(args.runnerTemp, 'step_summary.md');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: args.workspaceDir,
    GITHUB_REPOSITORY: RUNNER_GITHUB.repository,
    GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
    GITHUB_SERVER_URL: RUNNER_GITHUB.serverUrl,
    GITHUB_RUN_ID: RUNNER_GITHUB.runId,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: args.runnerTemp,
    ACTIONS_ID_TOKEN_REQUEST_URL: args.settings.githubOidcRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: args.settings.githubOidcRequestToken,
    NODE_EXTRA_CA_CERTS: args.settings.caFile,
    ...(args.settings.dockerHost ? { DOCKER_HOST: args.settings.dockerHost } : {}),
    ...(args.env?.ACTIONS_RUNTIME_TOKEN === undefined ? await runtimeEnv(args.settings) : {}),
    ...(await githubApiEnv(args.settings)),
    ...args.env,
  };
  for (const [name, value] of Object.entries(args.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, actionEntry(), { cwd: args.workspaceDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) args.onSpawn?.(child.pid);
  let log = '';
  // A person watching sees what the runner would show: groups as headings, annotations as labelled
  // lines, no debug lines, no mask commands, masked values as ***.
  const renderer = new WorkflowLogRenderer();
  const show = typeof args.echo === 'function' ? args.echo : (text: string) => process.stdout.write(text);
  let killed = false;
  const take = (chunk: Buffer) => {
    log += chunk.toString();
    if (args.killWhen && !killed && args.killWhen.test(log)) {
      killed = true;
      child.kill('SIGTERM');
    }
    if (args.echo) show(renderer.write(chunk.toString()));
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  if (args.killAfterMs) setTimeout(() => child.kill('SIGTERM'), args.killAfterMs).unref();
  void args.killOn?.finally(() => child.exitCode === null && child.kill('SIGTERM'));
  const [exitCode, signal] = await new Promise<[number, NodeJS.Signals | undefined]>((resolve) => child.on('close', (code, sig) => resolve([code ?? 1, sig ?? undefined])));
  if (args.echo) show(renderer.end());
  return { exitCode, signal, log, outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')), summary: fs.readFileSync(summaryFile, 'utf8'), runnerTemp: args.runnerTemp };
}

/**
 * The bundle, as the runner runs it; ACTION_UNDER_TEST=source runs src/index.ts through tsx instead,
 * so a change can be tested before dist/ is rebuilt.
 */
function actionEntry(): string[] {
  if (process.env.ACTION_UNDER_TEST === 'source' || process.env.TESTBED_ACTION_ENTRY === 'source' || process.env.ACTION_FROM_SOURCE === '1') {
    return ['--require', path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs'), path.join(REPO_ROOT, 'src', 'index.ts')];
  }
  return [path.join(REPO_ROOT, 'dist', 'index.js')];
}

/**
 * ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL as the runner sets them for a job: a new job of the test
 * bed's workflow run each time. None when the test bed has no results-service emulator.
 */
async function runtimeEnv(settings: TestbedSettings): Promise<Record<string, string>> {
  const job = await control<{ token: string; resultsUrl: string }>(settings, 'POST', '/github/runtime-token').catch(() => undefined);
  return job ? { ACTIONS_RUNTIME_TOKEN: job.token, ACTIONS_RESULTS_URL: job.resultsUrl } : {};
}

/**
 * GITHUB_API_URL at the test bed's GitHub API emulator, and the job token the runner hands the
 * action as the github-token input's default (${{ github.token }}). None without the emulator.
 */
async function githubApiEnv(settings: TestbedSettings): Promise<Record<string, string>> {
  const job = await control<{ token: string; apiUrl: string }>(settings, 'POST', '/github-api/token', { repository: RUNNER_GITHUB.repository }).catch(() => undefined);
  return job ? { GITHUB_API_URL: job.apiUrl, 'INPUT_GITHUB-TOKEN': job.token } : {};
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
      out[m[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}
