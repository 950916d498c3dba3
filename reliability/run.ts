/**
 * `npm run reliability`: faults at every call of a first deploy, a Custom Vision run and a re-run; bad
 * inputs; hostile answers; SIGTERM at seeded points; two deploys at once; a secret scan of every run.
 * Writes reports/reliability.json and exits 1 when a target of issue 12 is missed. Settings (env):
 * RELIABILITY_SEED, RELIABILITY_BEDS (test beds run in parallel), RELIABILITY_FAULTS (budget of call
 * faults), RELIABILITY_DELAYS, RELIABILITY_SIGTERMS, RELIABILITY_SECTIONS (comma list), RELIABILITY_CASES (a regular expression
 * on case names), RELIABILITY_MAX_MINUTES.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BAD_INPUTS, runBadInput } from './bad-inputs';
import { Bed } from './bed';
import { distinctCalls, type CallPattern } from './call-patterns';
import { runRace, runSigterm, sigtermPoints } from './cancel-and-race';
import type { CaseResult } from './case-result';
import { caseName, planFaults, runFaultCase } from './fault-matrix';
import { HOSTILE_ANSWERS, runHostileAnswer } from './hostile-answers';
import { buildReport } from './report';
import { SCENARIOS, scenarioRun, type ScenarioName } from './scenarios';
import { SeededRandom } from './seeded-random';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const seed = env('RELIABILITY_SEED', 20260312);
const beds = env('RELIABILITY_BEDS', 3);
const faultBudget = env('RELIABILITY_FAULTS', 190);
const delays = env('RELIABILITY_DELAYS', 6);
const sigterms = env('RELIABILITY_SIGTERMS', 6);
const maxMinutes = env('RELIABILITY_MAX_MINUTES', 25);
const sections = new Set((process.env.RELIABILITY_SECTIONS ?? 'faults,bad-inputs,hostile,sigterm,concurrency').split(','));
/** Only the cases whose name matches (a regular expression): re-running the failing ones. */
const only = process.env.RELIABILITY_CASES ? new RegExp(process.env.RELIABILITY_CASES, 'i') : undefined;
const reportFile = path.resolve(process.env.RELIABILITY_REPORT ?? path.join(__dirname, '..', 'reports', 'reliability.json'));

type Job = { name: string; section: CaseResult['section']; run: (bed: Bed, id: string) => Promise<CaseResult> };

function say(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** The clean runs whose request logs list the calls to fault. */
async function cleanCalls(bed: Bed): Promise<{ calls: Map<ScenarioName, CallPattern[]>; firstDeployMs: number }> {
  const calls = new Map<ScenarioName, CallPattern[]>();
  let firstDeployMs = 20_000;
  for (const scenario of SCENARIOS) {
    const target = await scenarioRun(bed, scenario, 'clean');
    await bed.resetLog();
    const run = await bed.run({ inputs: target.inputs, timeoutMinutes: 3 });
    if (run.exitCode !== 0) throw new Error(`the clean ${scenario} run failed:\n${run.log.slice(-4000)}`);
    if (scenario === 'first-deploy') firstDeployMs = run.durationMs;
    const distinct = distinctCalls(await bed.requests());
    say(`clean ${scenario}: ${distinct.length} distinct calls, ${distinct.reduce((n, c) => n + c.count, 0)} requests, ${run.durationMs} ms`);
    calls.set(scenario, distinct);
  }
  return { calls, firstDeployMs };
}

async function main(): Promise<void> {
  const started = Date.now();
  const deadline = started + maxMinutes * 60_000;
  const rng = new SeededRandom(seed);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
  say(`seed ${seed}, ${beds} test bed(s), scratch ${scratch}`);
  const running: Bed[] = [];
  const stopAll = async () => {
    await Promise.allSettled(running.map((b) => b.stop()));
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  const results: CaseResult[] = [];
  let skipped = 0;
  /** Skipped cases of the fixed corpora (bad inputs, hostile answers, SIGTERM, races): a missed target. */
  let skippedCorpus = 0;
  try {
    const bedStarts = Array.from({ length: beds }, (_, i) => Bed.start(i, scratch).then((b) => (running.push(b), b)));
    const first = await bedStarts[0];
    const jobs: Job[] = [];
    let firstDeployMs = 20_000;
    const plannedFaults: string[] = [];
    if (sections.has('faults')) {
      const clean = await cleanCalls(first);
      firstDeployMs = clean.firstDeployMs;
      for (const c of planFaults(clean.calls, rng, faultBudget, delays)) {
        plannedFaults.push(caseName(c));
        jobs.push({ name: caseName(c), section: 'fault', run: (bed, id) => runFaultCase(bed, c, id) });
      }
    }
    if (sections.has('bad-inputs')) for (const c of BAD_INPUTS) jobs.push({ name: `bad input ${c.name}`, section: 'bad-input', run: (bed, id) => runBadInput(bed, c, id) });
    if (sections.has('hostile')) for (const c of HOSTILE_ANSWERS) jobs.push({ name: `hostile ${c.name}`, section: 'hostile-answer', run: (bed, id) => runHostileAnswer(bed, c, id) });
    const points = sigtermPoints(rng, sections.has('sigterm') ? sigterms : 0, firstDeployMs);
    for (const ms of points) jobs.push({ name: `SIGTERM at ${ms} ms`, section: 'sigterm', run: (bed, id) => runSigterm(bed, id, ms) });
    if (sections.has('concurrency')) for (const existing of [false, true]) jobs.push({ name: `race (existing ${existing})`, section: 'concurrency', run: (bed, id) => runRace(bed, id, existing) });
    const chosen = only ? jobs.filter((j) => only.test(j.name)) : jobs;
    // Slow jobs first, so the beds finish together; then the fixed corpora (every case must run), then
    // the budgeted faults, which the deadline may cut (faults_injected still has to reach its target).
    const isFault = (j: Job) => j.section === 'fault';
    const ordered = [...chosen.filter((j) => / delay at /.test(j.name)), ...chosen.filter((j) => !isFault(j)), ...chosen.filter((j) => isFault(j) && !/ delay at /.test(j.name))];
    say(`${ordered.length} cases`);
    let next = 0;
    let done = 0;
    const worker = async (bedP: Promise<Bed>) => {
      const bed = await bedP;
      for (let i = next++; i < ordered.length; i = next++) {
        const job = ordered[i];
        if (Date.now() > deadline) {
          skipped++;
          if (job.section !== 'fault') skippedCorpus++;
          continue;
        }
        try {
          const r = await job.run(bed, `${i}`);
          results.push(r);
          say(`[${++done}/${ordered.length}] bed ${bed.index} ${r.outcome.padEnd(16)} ${job.name}${r.cause ? ` -- ${r.cause}` : ''} (${r.durationMs} ms, ${r.peakRssMb} MB)`);
        } catch (error) {
          say(`[${++done}/${ordered.length}] harness error in ${job.name}: ${(error as Error).stack ?? String(error)}`);
          results.push({ section: 'fault', name: `harness error: ${job.name}`, outcome: 'misbehaved', cause: 'harness error', detail: String(error), trafficToUnhealthy: false, secretsLeaked: [], peakRssMb: 0, durationMs: 0 });
        }
      }
    };
    await Promise.all(bedStarts.map(worker));
    const { report, missed } = buildReport(results, { seed, beds, planned_faults: plannedFaults.length, skipped_past_deadline: skipped, skipped_corpus_cases: skippedCorpus, wall_seconds: Math.round((Date.now() - started) / 1000) });
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    const figures = Object.fromEntries(Object.entries(report).filter(([, v]) => typeof v === 'number'));
    say(`report: ${reportFile}\n${JSON.stringify(figures, null, 2)}`);
    for (const [cause, names] of Object.entries(report.misbehaved_by_cause)) say(`misbehaved (${names.length}) ${cause}:\n  ${names.slice(0, 8).join('\n  ')}${names.length > 8 ? '\n  ...' : ''}`);
    if (missed.length) say(`targets missed: ${missed.join('; ')}`);
    process.exitCode = missed.length ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
