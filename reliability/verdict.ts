/**
 * What a run did, judged from what it printed, left on disk and left in Azure: a crash, a clean error,
 * a converged endpoint, traffic on an unhealthy deployment, a secret in the open.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MlStateSummary } from '../testbed/machine-learning/state-summary';
import type { RecordedExchange } from '../testbed/server/request-log';
import type { TimedRun } from './bed';

/** What GitHub shows: no debug lines, no mask commands. */
export function visibleLog(log: string): string {
  return log.split('\n').filter((l) => !l.startsWith('::debug::') && !l.startsWith('::add-mask::')).join('\n');
}

export function errorMessages(run: TimedRun): string[] {
  return [...run.log.matchAll(/^::error(?: [^:]*)?::(.*)$/gm)].map((m) => m[1].replace(/%0A/g, '\n').replace(/%25/g, '%'));
}

/** A stack trace, an uncaught exception or a JavaScript error leaking into the message: not a clean report. */
const CRASH = [
  /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m,
  /\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/,
  /Cannot read propert|is not a function|is not iterable|undefined is not|of undefined|of null\b/,
  /Unexpected (token|end of JSON)|in JSON at position|"[^"\n]*" is not valid JSON/,
  /\[object Object\]|Maximum call stack|JavaScript heap out of memory|FATAL ERROR|Invalid code point|unsupported wire type/,
  /UnhandledPromiseRejection|node:internal/,
];

export function crashSign(run: TimedRun): string | undefined {
  const visible = visibleLog(run.log);
  for (const pattern of CRASH) {
    const m = pattern.exec(visible);
    if (m) return m[0].trim().slice(0, 120);
  }
  return undefined;
}

/** The words an operation is named by in this action's messages. */
const OPERATION = /endpoint|deployment|model|environment|upload|registry|image|token|sign|workspace|datastore|traffic|smoke|custom vision|project|training|train|export|scor|push|manifest|login|credential|identity|azure|request|timed out|cancel/i;

/** `operation`: the message must name an operation (faults); bad input is judged by naming the input instead. */
export function cleanError(run: TimedRun, operation = true): { clean: boolean; why?: string } {
  if (run.hung) return { clean: false, why: 'hang past the time limit' };
  if (run.exitCode === 0) return { clean: false, why: 'exit 0' };
  const crash = crashSign(run);
  if (crash) return { clean: false, why: `crash: ${crash}` };
  const errors = errorMessages(run);
  if (errors.length === 0) return { clean: false, why: 'no ::error:: message' };
  if (operation && !errors.some((e) => OPERATION.test(e))) return { clean: false, why: 'the error names no operation' };
  return { clean: true };
}

/** Deployments with traffic that are not healthy: not Succeeded, or made to fail scoring by the harness. */
export function unhealthyWithTraffic(state: MlStateSummary, endpoint: string, unhealthy: Set<string>): string[] {
  const ep = state.endpoints.find((e) => e.name === endpoint);
  if (!ep) return [];
  return Object.entries(ep.traffic)
    .filter(([, pct]) => pct > 0)
    .map(([name]) => name)
    .filter((name) => unhealthy.has(name) || ep.deployments.find((d) => d.name === name)?.provisioningState !== 'Succeeded');
}

/** Converged: the run's deployment exists, Succeeded, and takes all the traffic. */
export function converged(run: TimedRun, state: MlStateSummary, endpoint: string): { ok: boolean; why?: string } {
  const ep = state.endpoints.find((e) => e.name === endpoint);
  if (!ep) return { ok: false, why: `endpoint ${endpoint} does not exist` };
  const name = run.outputs['deployment-name'];
  if (!name) return { ok: false, why: 'no deployment-name output' };
  const d = ep.deployments.find((x) => x.name === name);
  if (!d) return { ok: false, why: `output deployment ${name} does not exist` };
  if (d.provisioningState !== 'Succeeded') return { ok: false, why: `deployment ${name} is ${d.provisioningState}` };
  if ((ep.traffic[name] ?? 0) !== 100) return { ok: false, why: `deployment ${name} has ${ep.traffic[name] ?? 0}% (traffic ${JSON.stringify(ep.traffic)})` };
  return { ok: true };
}

/** Deployments a failed run created and left, that its log does not name. */
export function halfMadeUnreported(before: MlStateSummary, after: MlStateSummary, endpoint: string, run: TimedRun): string[] {
  const had = new Set(before.endpoints.find((e) => e.name === endpoint)?.deployments.map((d) => d.name) ?? []);
  const now = after.endpoints.find((e) => e.name === endpoint)?.deployments ?? [];
  const log = visibleLog(run.log);
  return now.filter((d) => !had.has(d.name) && !log.includes(d.name)).map((d) => d.name);
}

/** ARM and Custom Vision writes in a request log (reads, listKeys/listSecrets and sign-in excluded). */
export function azureWrites(requests: RecordedExchange[]): string[] {
  return requests
    .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
    .filter((r) => /^\/subscriptions\//i.test(r.url) || /\/customvision\//i.test(r.url) || (r.server === 'registry' && !/oauth2/.test(r.url)))
    .filter((r) => !/\/(listKeys|listSecrets|getLogs)\b/i.test(r.url))
    .map((r) => `${r.method} ${r.url.split('?')[0]}`);
}

const MAX_SCANNED_FILE = 64 * 1024 * 1024;
const MAX_SCANNED_FILES = 500;

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir) || out.length >= MAX_SCANNED_FILES) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(p, out);
    else if (entry.isFile() && out.length < MAX_SCANNED_FILES) out.push(p);
  }
  return out;
}

/**
 * Secrets in the open: in the log before the line that masks them (the runner masks only later lines),
 * or anywhere in the outputs, the summary, or a file under the runner's temp (artifacts, output dir,
 * docker config), which nobody masks.
 */
export function leakedSecrets(run: TimedRun, secrets: { kind: string; value: string }[], extraDirs: string[] = []): string[] {
  const leaks: string[] = [];
  const lines = run.log.split('\n');
  const outputs = Object.values(run.outputs).join('\n');
  const files = [...filesUnder(run.runnerTemp), ...extraDirs.flatMap((d) => filesUnder(d))]
    .filter((f) => !/^(github_output|step_summary\.md)$/.test(path.basename(f)) && fs.statSync(f).size <= MAX_SCANNED_FILE)
    .map((f) => ({ f, text: fs.readFileSync(f).toString('latin1') }));
  for (const { kind: k, value } of secrets) {
    const kind = `${k} (${value.slice(0, 4)}...)`;
    const maskLine = lines.findIndex((l) => l === `::add-mask::${value}`);
    const firstUse = lines.findIndex((l) => l.includes(value) && !l.startsWith('::add-mask::'));
    if (firstUse >= 0 && (maskLine < 0 || firstUse < maskLine)) leaks.push(`${kind} in the log (line ${firstUse + 1}${maskLine < 0 ? ', never masked' : ', before its mask'})`);
    if (outputs.includes(value)) leaks.push(`${kind} in an output`);
    if (run.summary.includes(value)) leaks.push(`${kind} in the job summary`);
    for (const { f, text } of files) if (text.includes(value)) leaks.push(`${kind} in ${path.relative(run.runnerTemp, f)}`);
  }
  return leaks;
}

export function logTail(run: TimedRun, lines = 25): string {
  return visibleLog(run.log).split('\n').slice(-lines).join('\n');
}
