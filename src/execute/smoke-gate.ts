/**
 * Runs the smoke test against one deployment, straight through the azureml-model-deployment header,
 * or (deployment undefined) through the endpoint's public URI, where the traffic split picks who answers.
 */
import type { ModelType } from '../config/action-config';
import { readLimitedTextFile } from '../config/input-limits';
import type { EndpointState } from '../deploy/endpoint';
import type { DeployPlan } from '../plan/deploy-plan';
import { loadClusteringConfig } from '../smoke-test/clustering-config';
import { runSmokeTest, type SmokeTestResult } from '../smoke-test/run-smoke-test';
import { describeLatency, latencyBudgetFailure } from '../smoke-test/latency-probe';
import type { ExecuteDeps } from './execute-deps';

/**
 * Where Triton's /v2 API is reached. A custom container is reached through the scoring URI: the
 * endpoint forwards <scoring_uri><rest> to <scoring route><rest>, so with the route '/' Triton sees
 * /v2/... (azureml-examples cli/deploy-custom-container-triton-single-model.sh passes the scoring URI
 * as is). Azure's no-code Triton serves /v2 at the host root, beside /score
 * (cli/deploy-triton-managed-online-endpoint.sh strips /score).
 */
export function tritonBaseUrl(scoringUri: string, modelType: ModelType): string {
  const uri = scoringUri.replace(/\/+$/, '');
  return modelType === 'custom_model' ? uri : uri.replace(/\/score$/, '');
}

export interface SmokeRunOptions {
  /** Where annotated images go (canary rounds keep the first test's images for the summary). */
  outputDir?: string;
  readyTimeoutMs?: number;
  /** The report line's stage; none: not recorded. */
  stage?: string | null;
  /** The latency report line's stage (default 'latency'); null: no latency measurement. */
  latencyStage?: string | null;
}

export async function runDeploymentSmokeTest(
  endpoint: EndpointState,
  deployment: string | undefined,
  key: string,
  plan: DeployPlan,
  d: ExecuteDeps,
  opts: SmokeRunOptions = {},
): Promise<SmokeTestResult> {
  const cfg = d.config.smokeTest;
  const started = Date.now();
  const latencyStage = opts.latencyStage === undefined ? 'latency' : opts.latencyStage;
  const clustering = cfg.clusteringConfigFile ? loadClusteringConfig(readLimitedTextFile(cfg.clusteringConfigFile, 'clustering config', cfg.clusteringConfigFile, { input: 'clustering-config' }), cfg.clusteringConfigFile) : undefined;
  const result = await runSmokeTest(
    { baseUrl: tritonBaseUrl(endpoint.scoringUri ?? '', d.config.modelType), key, deployment },
    {
      images: cfg.images,
      modelName: plan.smoke.modelName,
      family: cfg.family === 'auto' && plan.smoke.family ? plan.smoke.family : cfg.family,
      minDetections: cfg.minDetections,
      scoreThreshold: cfg.scoreThreshold,
      labels: plan.smoke.labels,
      clustering,
      pixelFormat: plan.smoke.pixelFormat,
      pixelRange: plan.smoke.pixelRange,
      preprocessing: cfg.customVisionPreprocessing,
      xyActivation: cfg.xyActivation,
      generic: cfg.generic,
      protocol: cfg.protocol,
      readyTimeoutMs: opts.readyTimeoutMs ?? Math.min(10 * 60_000, d.config.rollout.timeoutMs),
      requestTimeoutMs: 60_000,
      outputDir: opts.outputDir ?? d.config.run.outputDir,
      latency: latencyStage === null ? undefined : { requests: cfg.latency.requests, timeLimitMs: cfg.latency.timeLimitMs },
    },
    d.log,
  );
  const stage = opts.stage === undefined ? 'smoke test' : opts.stage;
  const via = deployment ?? `the public URI (answered by ${[...new Set(result.images.map((i) => i.answeredBy ?? '?'))].join(', ')})`;
  if (stage) d.report.record(stage, result.passed ? 'pass' : 'fail', `${result.totalDetections} detection(s) in ${result.images.length} image(s) via ${via}`, Date.now() - started);
  if (!result.latency || latencyStage === null) return result;
  // A p95 over budget fails like a smoke test that found nothing: the callers' failure paths apply.
  const overBudget = latencyBudgetFailure(result.latency, cfg.latency.p95BudgetMs);
  const budget = cfg.latency.p95BudgetMs === undefined ? '' : `; budget p95 ${cfg.latency.p95BudgetMs} ms`;
  d.report.record(latencyStage, overBudget ? 'fail' : 'pass', `${describeLatency(result.latency)} via ${deployment ?? 'the public URI'}${budget}`, Math.round(result.latency.elapsedMs));
  d.report.latency.push({ stage: latencyStage, via: deployment ?? 'the public URI', figures: result.latency, budgetMs: cfg.latency.p95BudgetMs });
  return overBudget ? { ...result, passed: false, failure: overBudget } : result;
}
