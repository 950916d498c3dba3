/**
 * The three runs the suite faults: a first deploy of the TAO sample, a Custom Vision run from the
 * bundled dataset, and a re-run of an unchanged deploy. Each faulted first deploy gets names of its own
 * (endpoint, model, project) and model content (so it uploads), so it really is a first deploy on a
 * shared test bed.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Bed, TimedRun } from './bed';
import { converged } from './verdict';

export type ScenarioName = 'first-deploy' | 'custom-vision' | 're-run';
export const SCENARIOS: ScenarioName[] = ['first-deploy', 'custom-vision', 're-run'];

export interface ScenarioRun {
  endpoint: string;
  inputs: Record<string, string>;
}

const TAO = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

export function taoInputs(endpoint: string, model: string): Record<string, string> {
  return { ...TAO, 'endpoint-name': endpoint, 'model-name': model };
}

export function customVisionInputs(bed: Bed, endpoint: string, project: string): Record<string, string> {
  const s = bed.settings;
  return {
    'model-source': 'custom-vision', 'custom-vision-endpoint': s.customVisionEndpoint, 'custom-vision-training-key': s.customVisionTrainingKey,
    'custom-vision-project-name': project, 'custom-vision-dataset': 'samples/custom-vision/dataset',
    'smoke-test-images': 'samples/custom-vision/images/test.png', 'endpoint-name': endpoint,
  };
}

/** Per test bed: the endpoint re-runs are made on, deployed once (again when a case left it broken). */
const reRunTargets = new Map<number, { endpoint: string; model: string; generation: number }>();

/**
 * The TAO model repository with a comment of its own in config.pbtxt: new content, so the run uploads
 * it (the datastore is shared by the runs on a test bed, and uploads are content-addressed).
 */
function ownModelRepository(bed: Bed, id: string): string {
  const rel = path.join('reliability-cases', id, 'model_repository');
  const dir = path.join(bed.workspace, rel);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(bed.workspace, TAO['model-repository']), dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'detectnet_tao', 'config.pbtxt'), `\n# reliability case ${id}\n`);
  return rel;
}

export async function scenarioRun(bed: Bed, scenario: ScenarioName, id: string): Promise<ScenarioRun> {
  if (scenario === 'first-deploy') return { endpoint: `fd-${id}`, inputs: { ...taoInputs(`fd-${id}`, `det-${id}`), 'model-repository': ownModelRepository(bed, id) } };
  if (scenario === 'custom-vision') return { endpoint: `cv-${id}`, inputs: customVisionInputs(bed, `cv-${id}`, `signs-${id}`) };
  let target = reRunTargets.get(bed.index);
  if (!target) {
    target = await deployReRunTarget(bed, 0);
    reRunTargets.set(bed.index, target);
  }
  return { endpoint: target.endpoint, inputs: taoInputs(target.endpoint, target.model) };
}

/** A case could not bring the re-run endpoint back: the next case starts from a new one. */
export async function replaceReRunTarget(bed: Bed): Promise<void> {
  const old = reRunTargets.get(bed.index);
  reRunTargets.set(bed.index, await deployReRunTarget(bed, (old?.generation ?? 0) + 1));
}

async function deployReRunTarget(bed: Bed, generation: number): Promise<{ endpoint: string; model: string; generation: number }> {
  const endpoint = `rr-${bed.index}-${generation}`;
  const model = `det-rr-${bed.index}-${generation}`;
  const run: TimedRun = await bed.run({ inputs: taoInputs(endpoint, model), timeoutMinutes: 3 });
  const ok = converged(run, await bed.state(), endpoint);
  if (run.exitCode !== 0 || !ok.ok) throw new Error(`the clean deploy the re-runs start from failed (${ok.why ?? `exit ${run.exitCode}`}):\n${run.log.slice(-3000)}`);
  return { endpoint, model, generation };
}
