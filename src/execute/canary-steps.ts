/**
 * The traffic rollout: each traffic-steps step only after a passing check. The first step follows the
 * direct smoke test; each later one follows a bake time (traffic-step-wait), a health check of the
 * deployment (GET: provisioningState Succeeded) and the smoke test again through the endpoint's public
 * URI, without the azureml-model-deployment header, so the split itself is exercised. Any failure, a
 * cancellation included, moves traffic back to where it was before the run; the endpoint is re-read so
 * the message states the split it really has.
 */
import * as path from 'path';
import { readDeployment } from '../deploy/deployment';
import { readEndpoint, type EndpointState } from '../deploy/endpoint';
import { sameShares, setTraffic, TrafficChangedElsewhere, TRAFFIC_TIMING, withoutZeroShares } from '../deploy/endpoint-traffic';
import type { DeployPlan } from '../plan/deploy-plan';
import type { SmokeTestResult } from '../smoke-test/run-smoke-test';
import type { ExecuteDeps } from './execute-deps';
import { runDeploymentSmokeTest } from './smoke-gate';

/** Smoke tests through the public URI before the new deployment is tested directly, when the split never routed to it. */
export const PUBLIC_ROUNDS = 5;
/** The deployment was ready a step ago; a long ready wait now means it broke. */
const CANARY_READY_TIMEOUT_MS = 2 * 60_000;
/** Putting traffic back outlives the run's own signal (it is what a timeout or SIGTERM needs most). */
const ROLLBACK_BUDGET_MS = 5 * 60_000;
const BAKE_HEARTBEAT_MS = 30_000;

export class TrafficRolloutFailure extends Error {
  override name = 'TrafficRolloutFailure';
  constructor(
    message: string,
    /** What failed, e.g. "the check after traffic step 1 of 3 ({...})". */
    readonly failed: string,
    /** Traffic is (again) as before the run. */
    readonly restored: boolean,
    /** The run's signal had fired (timeout-minutes, SIGTERM). */
    readonly cancelled: boolean,
  ) {
    super(message);
  }
}

/** Takes plan.traffic.steps in order and returns the endpoint as read after the last; throws TrafficRolloutFailure. */
export async function rollOutTraffic(plan: DeployPlan, endpoint: EndpointState, key: string, d: ExecuteDeps): Promise<EndpointState> {
  const steps = plan.traffic.steps;
  let current = endpoint;
  let stage = '';
  try {
    for (const [i, step] of steps.entries()) {
      if (i > 0) {
        stage = `the check after traffic step ${i} of ${steps.length} (${shares(steps[i - 1])})`;
        await checkCanary(plan, current, key, d, i);
      }
      stage = `traffic step ${i + 1} of ${steps.length} (${shares(step)})`;
      const t = Date.now();
      d.log.info(`Traffic -> ${JSON.stringify(step)}`);
      // The split this run planned from, then the one it set: anything else is another writer's.
      const expected = i === 0 ? plan.endpoint.traffic : current.traffic;
      current = await setTraffic(d.clients, endpoint.name, step, d.signal, d.log, TRAFFIC_TIMING, expected);
      d.report.record('traffic', 'shift', JSON.stringify(step), Date.now() - t);
    }
  } catch (e) {
    throw await rollBack(plan, endpoint.name, stage, e, d);
  }
  return current;
}

/**
 * At the end of the run: the endpoint still has the traffic this run set, or the outputs would name a
 * deployment another run has since taken the traffic from.
 */
export async function confirmTraffic(endpoint: EndpointState, d: ExecuteDeps): Promise<EndpointState> {
  const now = await readEndpoint(d.clients, endpoint.name);
  if (!sameShares(now.traffic, endpoint.traffic)) {
    const e = new TrafficChangedElsewhere(endpoint.name, endpoint.traffic, now.traffic, 'after this run set it');
    d.report.record('traffic', 'fail', e.message);
    throw e;
  }
  return now;
}

/** Bake, health, then the smoke test through the public URI (and directly if the split never reached the deployment). */
async function checkCanary(plan: DeployPlan, endpoint: EndpointState, key: string, d: ExecuteDeps, afterStep: number): Promise<void> {
  const name = plan.deployment.name;
  const started = Date.now();
  const share = shareOf(endpoint.traffic, name);
  const wait = d.config.rollout.stepWaitMs;
  if (wait > 0) {
    d.log.info(`Baking: ${name} serves ${share}% of ${endpoint.name}; waiting ${duration(wait)} (traffic-step-wait) before checking it again`);
    await bake(wait, d);
  }
  const health = await readDeployment(d.clients, endpoint.name, name);
  if (!health.exists || health.provisioningState !== 'Succeeded') {
    throw new Error(`deployment ${name} is ${health.exists ? `${health.provisioningState} (expected Succeeded)` : 'gone'}`);
  }
  d.log.info(`Deployment ${name} is ${health.provisioningState}; smoke-testing ${endpoint.name} through its public URI (${shares(endpoint.traffic)})`);
  const outputDir = path.join(d.config.run.outputDir, `after-step-${afterStep}`);
  const answered: string[] = [];
  for (let round = 1; round <= PUBLIC_ROUNDS && !answered.some((a) => a.toLowerCase() === name.toLowerCase()); round++) {
    // Latency once per check, through the public URI: what callers see at this split.
    const latencyStage = round === 1 ? `latency after step ${afterStep}` : null;
    const r = await runDeploymentSmokeTest(endpoint, undefined, key, plan, d, { outputDir, readyTimeoutMs: CANARY_READY_TIMEOUT_MS, stage: null, latencyStage });
    const by = r.images.map((i) => i.answeredBy ?? 'an unnamed deployment');
    answered.push(...by);
    if (!r.passed) throw new Error(`the smoke test through the public URI failed (answered by ${[...new Set(by)].join(', ')}): ${r.failure ?? 'no detections'}`);
  }
  let direct: SmokeTestResult | undefined;
  if (!answered.some((a) => a.toLowerCase() === name.toLowerCase())) {
    d.log.info(`The split routed none of ${answered.length} request(s) to ${name}; testing it directly (azureml-model-deployment header)`);
    direct = await runDeploymentSmokeTest(endpoint, name, key, plan, d, { outputDir, readyTimeoutMs: CANARY_READY_TIMEOUT_MS, stage: null, latencyStage: null });
    if (!direct.passed) throw new Error(`the smoke test of ${name} failed: ${direct.failure ?? 'no detections'}`);
  }
  const tally = [...new Set(answered)].map((n) => `${n} ${answered.filter((a) => a === n).length}`).join(', ');
  const detail = `after step ${afterStep} (${share}%): ${name} ${health.provisioningState}; public URI ${answered.length} request(s) passed (${tally})${direct ? `; ${name} directly passed` : ''}`;
  d.report.record('canary', 'pass', detail, Date.now() - started);
}

/** Puts traffic back as it was before the run; the error says what failed and the split the endpoint really has. */
async function rollBack(plan: DeployPlan, endpointName: string, stage: string, cause: unknown, d: ExecuteDeps): Promise<TrafficRolloutFailure> {
  const before = withoutZeroShares(plan.endpoint.traffic);
  const cancelled = d.signal.aborted;
  const why = cause instanceof Error ? cause.message : String(cause);
  d.log.warning(`${capitalized(stage)} failed: ${why}`);
  const budget = AbortSignal.timeout(ROLLBACK_BUDGET_MS);
  let outcome: string;
  let restored = false;
  if (cause instanceof TrafficChangedElsewhere) {
    // Moving traffic back would overwrite the other writer's split, which is now the endpoint's truth.
    outcome = `traffic is left as the other operation set it (${shares(cause.found)})`;
    d.log.info(capitalized(outcome));
    d.report.record('traffic', 'fail', `${stage}: ${cause.message}`);
    return new TrafficRolloutFailure(cause.message, stage, false, cancelled);
  }
  try {
    const now = await readEndpoint(d.clients, endpointName);
    // An endpoint still Updating may yet apply the step: only an idle one that reads `before` is left alone.
    if (sameShares(now.traffic, before) && now.provisioningState === 'Succeeded') {
      outcome = `traffic is unchanged at ${shares(before)}, as before this run`;
    } else {
      d.log.info(`Moving traffic back to ${shares(before)}, as before this run (the endpoint reads ${shares(now.traffic)}, ${now.provisioningState})`);
      const back = await setTraffic(d.clients, endpointName, before, budget, d.log);
      outcome = `traffic was moved back to ${shares(back.traffic)}, as before this run`;
    }
    restored = true;
  } catch (e) {
    const real = await readEndpoint(d.clients, endpointName).then(
      (s) => `${shares(s.traffic)} (${s.provisioningState})`,
      () => 'unknown (the endpoint could not be read)',
    );
    outcome = `traffic could NOT be moved back to ${shares(before)} (${e instanceof Error ? e.message : String(e)}); the endpoint now reads ${real}`;
  }
  d.log.info(capitalized(outcome));
  d.report.record('traffic', restored ? 'rollback' : 'fail', `${stage} failed; ${outcome}`);
  return new TrafficRolloutFailure(`${capitalized(stage)} failed: ${why}. ${capitalized(outcome)}.`, stage, restored, cancelled);
}

function bake(ms: number, d: ExecuteDeps): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const beat = setInterval(() => d.log.info(`  ... baking, ${duration(Date.now() - started)} of ${duration(ms)}`), BAKE_HEARTBEAT_MS);
    const done = (f: () => void) => () => {
      clearTimeout(timer);
      clearInterval(beat);
      d.signal.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = done(() => reject(d.signal.reason));
    const timer = setTimeout(done(resolve), ms);
    if (d.signal.aborted) return onAbort();
    d.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function shareOf(traffic: Record<string, number>, name: string): number {
  return Object.entries(traffic).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? 0;
}

/** {"a":90,"b":10} -> "a 90%, b 10%"; no traffic -> "no traffic". */
export function shares(traffic: Record<string, number>): string {
  const entries = Object.entries(withoutZeroShares(traffic));
  return entries.length ? entries.map(([n, p]) => `${n} ${p}%`).join(', ') : 'no traffic';
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}` : `${s} s`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
