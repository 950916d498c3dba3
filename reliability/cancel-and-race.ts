/**
 * SIGTERM at a seeded random point of a first deploy (the run must stop within a few seconds, say so,
 * and a clean re-run must converge), and two deploys at once on one endpoint (not both may claim to
 * serve: each that exits 0 must name a deployment that has the traffic).
 */
import type { Bed } from './bed';
import type { CaseResult } from './case-result';
import { scenarioRun } from './scenarios';
import type { SeededRandom } from './seeded-random';
import { converged, crashSign, leakedSecrets, logTail, unhealthyWithTraffic } from './verdict';

/** How long after SIGTERM the run may take to stop and report. */
export const STOP_WITHIN_MS = 10_000;

export async function runSigterm(bed: Bed, id: string, afterMs: number): Promise<CaseResult> {
  await bed.reset();
  const target = await scenarioRun(bed, 'first-deploy', id);
  const run = await bed.run({ inputs: target.inputs, timeoutMinutes: 1, termAfterMs: afterMs });
  const after = await bed.state();
  const toUnhealthy = unhealthyWithTraffic(after, target.endpoint, new Set());
  const secretsLeaked = leakedSecrets(run, await bed.secrets());
  let cause: string | undefined;
  // Killed by SIGTERM's default action: the action had removed its handler, its run was over (outputs
  // written) and only the process's exit was left. Judged like a run that had already ended.
  const stoppedIn = run.signal === 'SIGTERM' && run.outputs['deployment-name'] ? undefined : run.stopAfterTermMs;
  if (run.hung) cause = 'hang after SIGTERM';
  else if (stoppedIn !== undefined && stoppedIn > STOP_WITHIN_MS) cause = `stopped ${stoppedIn} ms after SIGTERM`;
  else if (crashSign(run)) cause = 'crash or JavaScript error in the output';
  else if ((stoppedIn === undefined || run.exitCode === 0) && run.outputs['deployment-name'] && !converged(run, after, target.endpoint).ok) cause = 'exit 0 after SIGTERM with wrong state';
  else if (stoppedIn !== undefined && run.exitCode !== 0 && !/::error|cancel|SIGTERM|stopp/i.test(run.log)) cause = 'no report after SIGTERM';
  else if (toUnhealthy.length) cause = 'traffic on an unhealthy deployment';
  const reRun = await bed.run({ inputs: target.inputs, timeoutMinutes: 2 });
  const reRunConverged = reRun.exitCode === 0 && converged(reRun, await bed.state(), target.endpoint).ok;
  if (!cause && !reRunConverged) cause = 'the clean re-run did not converge';
  if (!cause && secretsLeaked.length) cause = 'secret in the open';
  return {
    section: 'sigterm', name: `SIGTERM ${afterMs} ms into a first deploy${stoppedIn === undefined ? ' (it had already ended)' : ''}`,
    outcome: cause ? 'misbehaved' : run.exitCode === 0 || (stoppedIn === undefined && run.outputs['deployment-name']) ? 'recovered' : 'reported-cleanly', cause, detail: `stopped after ${stoppedIn ?? '-'} ms, exit ${run.exitCode}`,
    trafficToUnhealthy: toUnhealthy.length > 0, secretsLeaked, peakRssMb: Math.max(run.peakRssMb, reRun.peakRssMb), reRunConverged, durationMs: run.durationMs,
    logTail: cause ? logTail(reRunConverged ? run : reRun) : undefined,
  };
}

/** Two deploys of different content on one endpoint at the same time; `existing`: the endpoint serves already. */
export async function runRace(bed: Bed, id: string, existing: boolean): Promise<CaseResult> {
  await bed.reset();
  const a = await scenarioRun(bed, 'first-deploy', `${id}a`);
  const endpoint = `race-${id}`;
  const inputsA: Record<string, string> = { ...a.inputs, 'endpoint-name': endpoint };
  const inputsB = { ...inputsA, 'model-name': `${inputsA['model-name']}-b`, 'traffic-steps': '100' };
  if (existing) await bed.run({ inputs: { ...inputsA, 'model-name': `${inputsA['model-name']}-0` }, timeoutMinutes: 2 });
  const [ra, rb] = await Promise.all([bed.run({ inputs: inputsA, timeoutMinutes: 2 }), bed.run({ inputs: inputsB, timeoutMinutes: 2 })]);
  const state = await bed.state();
  const ep = state.endpoints.find((e) => e.name === endpoint);
  const claims = [ra, rb].filter((r) => r.exitCode === 0).map((r) => r.outputs['deployment-name']);
  const wrong = claims.filter((name) => (ep?.traffic[name] ?? 0) === 0);
  const unclean = [ra, rb].filter((r) => r.exitCode !== 0 && (crashSign(r) || !/::error/.test(r.log)));
  const secretsLeaked = [...leakedSecrets(ra, await bed.secrets()), ...leakedSecrets(rb, await bed.secrets())];
  let cause: string | undefined;
  if (ra.hung || rb.hung) cause = 'hang';
  else if (wrong.length) cause = 'lost update: a run exits 0 naming a deployment without traffic';
  else if (unclean.length) cause = 'the losing run did not fail clearly';
  else if (secretsLeaked.length) cause = 'secret in the open';
  return {
    section: 'concurrency', name: `two deploys at once on ${existing ? 'a serving' : 'a new'} endpoint`, outcome: cause ? 'misbehaved' : claims.length === 2 ? 'recovered' : 'reported-cleanly',
    cause, detail: `exits ${ra.exitCode}/${rb.exitCode}, claims ${claims.join(', ')}, traffic ${JSON.stringify(ep?.traffic ?? {})}`,
    trafficToUnhealthy: unhealthyWithTraffic(state, endpoint, new Set()).length > 0, secretsLeaked, peakRssMb: Math.max(ra.peakRssMb, rb.peakRssMb),
    durationMs: Math.max(ra.durationMs, rb.durationMs), logTail: cause ? `${logTail(ra, 12)}\n----\n${logTail(rb, 12)}` : undefined,
  };
}

export function sigtermPoints(rng: SeededRandom, count: number, runMs: number): number[] {
  return Array.from({ length: count }, () => rng.int(500, Math.max(1000, runMs)));
}
