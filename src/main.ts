/**
 * Orchestrates one run: inputs -> config (smoke-test images checked) -> source (Azure sign-in before the
 * first Custom Vision call) -> plan -> (dry-run stops; a Custom Vision dry run stops after planning the
 * source with reads only) -> execute -> outputs and job summary. Any error becomes core.setFailed with a message that says what to change;
 * each output is set as soon as it is known, so a failed run still reports what it made. One log group per phase.
 */
import * as core from '@actions/core';
import * as fs from 'fs';
import { actionLog, seconds, stage } from './action-log';
import { azureError } from './azure/azure-errors';
import { enterCallSignal } from './azure/call-limits';
import { createAzureClients } from './azure/clients';
import { createCredential, retryingOidc } from './azure/credential';
import { requestGitHubOidcToken } from './azure/github-oidc-token';
import { checkSignIn } from './azure/sign-in';
import type { ModelType } from './config/action-config';
import { buildConfig } from './config/build-config';
import { readLimitedTextFile } from './config/input-limits';
import { readInputs, readRunEnvironment } from './config/read-inputs';
import { readWorkspace, type WorkspaceInfo } from './deploy/workspace-info';
import { UserInputError, UserInputErrors } from './errors';
import { executePlan, type KnownOutputs } from './execute/execute-plan';
import { GitHubReporting } from './github/github-reporting';
import { tritonBaseUrl } from './execute/smoke-gate';
import { chooseRegistry } from './image/registry-location';
import { signInToRegistry, type RegistrySession } from './image/triton-image';
import { AcrTasksClient } from './image/acr-tasks-client';
import { describePlan } from './plan/deploy-plan';
import { makePlan, resolveLabels } from './plan/make-plan';
import { refuseInfeasible } from './plan/quota-check';
import { writeJobSummary } from './report/job-summary';
import { RunReport } from './report/run-report';
import { uploadSmokeTestArtifact } from './report/smoke-test-artifact';
import { loadClusteringConfig } from './smoke-test/clustering-config';
import { planSource, prepareSource } from './source/prepare-source';
import { DEFAULT_RETRY } from './transient-retry';

export async function run(): Promise<void> {
  const started = Date.now();
  const report = new RunReport();
  const abort = new AbortController();
  // Every Azure call of the run gets its signal (timeout-minutes, SIGTERM): src/azure/call-limits.ts.
  enterCallSignal(abort.signal);
  const onSignal = (sig: string) => () => {
    core.warning(`Received ${sig}: stopping; the report lists what this run created so far.`);
    abort.abort(new Error(`cancelled by ${sig}`));
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.once('SIGINT', sigint);
  process.once('SIGTERM', sigterm);
  let headline = '';
  let outputDir: string | undefined;
  let github: GitHubReporting | undefined;
  let endpointName = '';
  let timer: NodeJS.Timeout | undefined;
  // In the report's group: @actions/artifact logs each step of the upload.
  const uploadArtifact = () => uploadSmokeTestArtifact({ dir: outputDir, since: started, env: process.env, log: actionLog });
  try {
    const config = buildConfig(readInputs(), readRunEnvironment());
    timer = setTimeout(() => abort.abort(new Error(`timed out after ${config.rollout.timeoutMs / 60000} minutes (timeout-minutes)`)), config.rollout.timeoutMs);
    timer.unref();
    for (const w of config.warnings) core.warning(w);
    github = new GitHubReporting(config.github, actionLog);
    endpointName = config.endpoint.name;
    outputDir = config.run.outputDir;
    await fs.promises.mkdir(config.run.outputDir, { recursive: true });
    const mask = (s: string) => core.setSecret(s);

    const oidcRequest = { requestUrl: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, requestToken: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
    // Bounded by the run's signal and a per-request timeout; transient answers retried with backoff.
    const oidc = retryingOidc((audience: string) => requestGitHubOidcToken(oidcRequest, audience, mask), { ...DEFAULT_RETRY, signal: abort.signal, log: actionLog });
    const credential = createCredential(config.auth, config.cloud, oidc);
    const clients = createAzureClients(credential, config.cloud, config.workspace, actionLog);
    // Once, before the first Azure ML or Custom Vision call: bad credentials fail before any training.
    let signedIn: Promise<WorkspaceInfo> | undefined;
    const signIn = () =>
      (signedIn ??= (async () => {
        await checkSignIn(credential, config.auth, config.cloud.resourceManagerAudience, oidc);
        return readWorkspace(clients);
      })());

    if (config.rollout.dryRun && config.source.kind === 'custom-vision') {
      const sourcePlan = (await stage('Model source plan (dry run, read-only)', () => planSource(config, actionLog, signIn)))!;
      for (const row of sourcePlan.rows) core.info(`${row.item.padEnd(10)} ${row.text}`);
      for (const row of sourcePlan.rows) report.record(`Custom Vision ${row.item}`, 'skip', row.text);
      await fs.promises.writeFile(`${config.run.outputDir}/plan.json`, JSON.stringify({ source: sourcePlan.customVision }, null, 2));
      core.setOutput('plan', `${config.run.outputDir}/plan.json`);
      headline = `dry run: the Custom Vision plan; nothing changed (the Azure ML plan needs the trained export)`;
      report.record('dry run', 'skip', 'plan printed; nothing changed in Custom Vision or Azure');
      await stage('Report', async () => {
        const artifact = await uploadArtifact();
        await writeJobSummary(report, { ok: true, headline, artifact });
        await github!.comment(endpointName, { ok: true, headline, planLines: sourcePlan.rows.map((r) => `${r.item} ${r.text}`), report, artifact });
      });
      return;
    }

    const source = await stage('Model source', async () => {
      const s = await prepareSource(config, actionLog, signIn);
      core.info(s.note);
      return s;
    });
    report.record('source', 'pass', `${source.note}; ${source.repository.files.length} files, content ${source.repository.contentHash.slice(0, 12)}`);
    const clustering = config.smokeTest.clusteringConfigFile
      ? loadClusteringConfig(readLimitedTextFile(config.smokeTest.clusteringConfigFile, 'clustering config', config.smokeTest.clusteringConfigFile, { input: 'clustering-config' }), config.smokeTest.clusteringConfigFile)
      : undefined;
    const labels = source.smoke.labels ?? resolveLabels(config.smokeTest.labelsFile, source.repository, source.smoke.modelName, clustering ? [...clustering.classes.keys()] : [], config.smokeTest.family);

    const { plan, registry } = await stage('Plan (read-only)', async () => {
      const workspace = await signIn();
      let registry: RegistrySession | undefined;
      if (config.modelType === 'custom_model') {
        const input = config.image.registryName ? { name: config.image.registryName, id: config.image.registryId } : undefined;
        const choice = chooseRegistry({ input, workspaceRegistryId: workspace.registryId, workspace: config.workspace });
        if (choice.warning) core.warning(choice.warning);
        const { subscriptionId, resourceGroup, name } = choice.registry;
        const acr = await clients.acrIn(subscriptionId).registries.get(resourceGroup, name).catch((e: unknown) => {
          throw azureError(`Reading container registry '${name}' in resource group '${resourceGroup}' (subscription ${subscriptionId})`, e);
        });
        registry = {
          ...(await signInToRegistry(acr.loginServer!, credential, config.auth.tenantId, mask, { ...DEFAULT_RETRY, signal: abort.signal, log: actionLog })),
          arm: { client: clients.acrIn(subscriptionId), resourceGroup, name },
          tasks: new AcrTasksClient(credential, config.cloud.resourceManagerEndpoint, [`${config.cloud.resourceManagerAudience.replace(/\/+$/, '')}/.default`], { subscriptionId, resourceGroup, name }, [clients.callLog]),
          baseCredentials: config.image.baseCredentials,
        };
      }
      const plan = await makePlan({ config, clients, workspace, repository: source.repository, smoke: { ...source.smoke, labels }, registry, workDir: config.run.outputDir, mask });
      for (const line of describePlan(plan)) core.info(line);
      for (const w of plan.quota && 'warnings' in plan.quota ? plan.quota.warnings : []) core.warning(w);
      await fs.promises.writeFile(`${config.run.outputDir}/plan.json`, JSON.stringify({ ...plan, repository: { ...plan.repository, files: plan.repository.files.length } }, null, 2));
      return { plan, registry };
    });
    core.setOutput('plan', `${config.run.outputDir}/plan.json`);
    // After the plan is printed and saved (dry run included): a deployment that cannot fit stops here, before any write.
    refuseInfeasible(plan.quota);
    if (config.rollout.dryRun) {
      headline = `dry run: ${plan.deployment.action} ${plan.deployment.name} on ${plan.endpoint.name}`;
      report.record('dry run', 'skip', 'plan printed; nothing changed');
      await stage('Report', async () => {
        const artifact = await uploadArtifact();
        await writeJobSummary(report, { ok: true, headline, artifact });
        await github!.comment(endpointName, { ok: true, headline, planLines: describePlan(plan), report, artifact });
      });
      return;
    }
    await github.deployment.start(`${plan.deployment.name} on Azure ML endpoint ${plan.endpoint.name}`, { endpoint: plan.endpoint.name, deployment: plan.deployment.name });
    // Each phase in its own log group; each output set as soon as it is known.
    const outputs = (known: KnownOutputs) => setOutputs(known, config.modelType);
    const result = await executePlan(plan, { config, clients, registry, report, log: actionLog, signal: abort.signal, mask, phase: stage, outputs });
    setOutputs(result, config.modelType);
    headline = `${result.deploymentName} serves ${result.endpoint.name} (${seconds(Date.now() - started)}, ${clients.calls.count} Azure calls)`;
    core.info(headline);
    const scoringUri = result.endpoint.scoringUri ?? undefined;
    await stage('Report', async () => {
      await github!.deployment.finish({ ok: true, environmentUrl: scoringUri, description: `${result.deploymentName} serves ${result.endpoint.name}` });
      const artifact = await uploadArtifact();
      await writeJobSummary(report, { ok: true, headline, smoke: result.smoke, artifact });
      await github!.comment(endpointName, { ok: true, headline, report, smoke: result.smoke, artifact, environmentUrl: scoringUri });
    });
  } catch (e) {
    // A timeout or a signal surfaces from the SDK as a bare AbortError: say why the run stopped.
    const reason = abort.signal.aborted ? `Stopped: ${(abort.signal.reason as Error)?.message ?? 'aborted'}. ` : '';
    const message = reason + describeError(e);
    annotate(e);
    core.setFailed(message);
    if (report.created.length) core.info(`Created by this run: ${report.created.join(', ')}`);
    await stage('Report', async () => {
      await github?.deployment.finish({ ok: false, description: message.split('\n')[0] });
      const artifact = await uploadArtifact();
      await writeJobSummary(report, { ok: false, headline: headline || 'failed', error: message, artifact }).catch(() => undefined);
      await github?.comment(endpointName, { ok: false, headline: headline || 'failed', report, error: message, artifact }).catch(() => undefined);
    });
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', sigint);
    process.removeListener('SIGTERM', sigterm);
  }
}

/** Sets the outputs known so far (called again as more become known). */
function setOutputs(r: KnownOutputs, modelType: ModelType): void {
  if (r.endpoint) {
    core.setOutput('endpoint-name', r.endpoint.name);
    core.setOutput('scoring-uri', r.endpoint.scoringUri ?? '');
    core.debug(`Triton base URL: ${tritonBaseUrl(r.endpoint.scoringUri ?? '', modelType)}`);
  }
  if (r.deploymentName) core.setOutput('deployment-name', r.deploymentName);
  if (r.modelId) core.setOutput('model-id', r.modelId);
  if (r.modelVersion) core.setOutput('model-version', r.modelVersion);
  if ('image' in r) core.setOutput('image', r.image ?? '');
  if (r.smoke) {
    core.setOutput('detections', String(r.smoke.totalDetections));
    core.setOutput('annotated-image', r.smoke.images[0]?.annotatedPng ?? '');
  }
}

function describeError(e: unknown): string {
  if (e instanceof UserInputErrors) return `${e.problems.length} input problem(s):\n${e.problems.map((p) => `- ${p.message}`).join('\n')}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Problems in the user's files become annotations on the file and line. */
function annotate(e: unknown): void {
  const problems = e instanceof UserInputErrors ? e.problems : e instanceof UserInputError ? [e] : [];
  for (const p of problems) {
    if (p.where.file) core.error(p.message, { file: p.where.file, startLine: p.where.line, startColumn: p.where.column, title: 'aml-triton-deploy' });
  }
}
