/** reports/reliability.json: the figures, the misbehaved cases grouped by cause, and the verdict. */
import type { CaseResult } from './case-result';

export const TARGETS = { minFaults: 150, maxRssMb: 512 };

export function buildReport(results: CaseResult[], meta: Record<string, unknown>) {
  const of = (section: CaseResult['section']) => results.filter((r) => r.section === section);
  const faults = of('fault').filter((r) => r.outcome !== 'not-hit');
  const misbehaved = results.filter((r) => r.outcome === 'misbehaved');
  const reRuns = results.filter((r) => r.reRunConverged !== undefined);
  const byCause: Record<string, string[]> = {};
  for (const r of misbehaved) (byCause[`${r.section}: ${r.cause ?? 'unknown'}`] ??= []).push(r.name);
  const report = {
    faults_injected: faults.length,
    faults_recovered: faults.filter((r) => r.outcome === 'recovered').length,
    faults_reported_cleanly: faults.filter((r) => r.outcome === 'reported-cleanly').length,
    faults_not_hit: of('fault').length - faults.length,
    misbehaved: misbehaved.length,
    traffic_moved_to_unhealthy: results.filter((r) => r.trafficToUnhealthy).length,
    bad_inputs: of('bad-input').length,
    bad_inputs_rejected_cleanly: of('bad-input').filter((r) => r.outcome === 'reported-cleanly').length,
    hostile_answers: of('hostile-answer').length,
    hostile_answers_handled: of('hostile-answer').filter((r) => r.outcome !== 'misbehaved').length,
    sigterm_runs: of('sigterm').length,
    concurrent_runs: of('concurrency').length,
    secrets_leaked: results.reduce((n, r) => n + r.secretsLeaked.length, 0),
    max_rss_mb: results.reduce((m, r) => Math.max(m, r.peakRssMb), 0),
    re_runs: reRuns.length,
    re_runs_converged: reRuns.filter((r) => r.reRunConverged).length,
    ...meta,
    misbehaved_by_cause: byCause,
    misbehaved_cases: misbehaved.map((r) => ({ section: r.section, name: r.name, cause: r.cause, detail: r.detail, secrets: r.secretsLeaked, log_tail: r.logTail })),
    cases: results.map((r) => ({ section: r.section, name: r.name, outcome: r.outcome, cause: r.cause, rss_mb: r.peakRssMb, ms: r.durationMs, re_run_converged: r.reRunConverged })),
  };
  const missed: string[] = [];
  if (report.faults_injected < TARGETS.minFaults) missed.push(`faults_injected ${report.faults_injected} < ${TARGETS.minFaults}`);
  if (report.misbehaved > 0) missed.push(`misbehaved ${report.misbehaved}`);
  if (report.secrets_leaked > 0) missed.push(`secrets_leaked ${report.secrets_leaked}`);
  if (report.traffic_moved_to_unhealthy > 0) missed.push(`traffic_moved_to_unhealthy ${report.traffic_moved_to_unhealthy}`);
  if (report.bad_inputs_rejected_cleanly < report.bad_inputs) missed.push(`bad inputs handled ${report.bad_inputs_rejected_cleanly}/${report.bad_inputs}`);
  if (report.hostile_answers_handled < report.hostile_answers) missed.push(`hostile answers handled ${report.hostile_answers_handled}/${report.hostile_answers}`);
  if (report.max_rss_mb > TARGETS.maxRssMb) missed.push(`max_rss_mb ${report.max_rss_mb} > ${TARGETS.maxRssMb}`);
  const skippedCorpus = Number(meta.skipped_corpus_cases ?? 0);
  if (skippedCorpus > 0) missed.push(`${skippedCorpus} bad-input / hostile / SIGTERM / race cases not run before the deadline`);
  if (report.re_runs_converged < report.re_runs) missed.push(`re-runs converged ${report.re_runs_converged}/${report.re_runs}`);
  return { report: { ...report, targets_missed: missed }, missed };
}
