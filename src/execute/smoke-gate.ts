/** Runs the smoke test against one deployment, straight through the azureml-model-deployment header. */
import * as fs from 'fs';
import type { EndpointState } from '../deploy/endpoint';
import type { DeployPlan } from '../plan/deploy-plan';
import { loadClusteringConfig } from '../smoke-test/clustering-config';
import { runSmokeTest, type SmokeTestResult } from '../smoke-test/run-smoke-test';
import type { ExecuteDeps } from './execute-plan';

/** Triton's routes live beside /score on the same host. */
export function tritonBaseUrl(scoringUri: string): string {
  return scoringUri.replace(/\/score\/?$/, '').replace(/\/+$/, '');
}

export async function runDeploymentSmokeTest(endpoint: EndpointState, deployment: string, key: string, plan: DeployPlan, d: ExecuteDeps): Promise<SmokeTestResult> {
  const cfg = d.config.smokeTest;
  const started = Date.now();
  const clustering = cfg.clusteringConfigFile ? loadClusteringConfig(fs.readFileSync(cfg.clusteringConfigFile, 'utf8'), cfg.clusteringConfigFile) : undefined;
  const result = await runSmokeTest(
    { baseUrl: tritonBaseUrl(endpoint.scoringUri ?? ''), key, deployment },
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
      readyTimeoutMs: Math.min(10 * 60_000, d.config.rollout.timeoutMs),
      requestTimeoutMs: 60_000,
      outputDir: d.config.run.outputDir,
    },
    d.log,
  );
  d.report.record('smoke test', result.passed ? 'pass' : 'fail', `${result.totalDetections} detection(s) in ${result.images.length} image(s) via ${deployment}`, Date.now() - started);
  return result;
}
