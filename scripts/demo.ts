/**
 * The main job on the bundled TAO DetectNet_v2 sample (or, with --custom-vision, a Custom Vision
 * detector trained from the bundled COCO dataset): starts the local Azure test bed, runs
 * dist/index.js as the runner would and shows its log as GitHub's log view would (workflow
 * commands applied), prints the outputs and writes the job summary, the plan and the annotated
 * smoke-test images to demo-output/, and the GitHub deployment (environment URL) and latency figures. Ends with the total time; exits with the action's exit code.
 * DEMO_DIR=<dir> puts demo-output/ and the test bed's state there instead of the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs } from '../testbed/action-runner';
import { withTestbedArtifactLinks } from '../testbed/artifact-links';
import { control, specViolations } from '../testbed/control-client';
import type { DeploymentRecord } from '../testbed/github-api/github-api-state';
import { startTestbed } from '../testbed/start-testbed';

const BASE = process.env.DEMO_DIR ? path.resolve(process.env.DEMO_DIR) : undefined;
const OUT = path.join(BASE ?? REPO_ROOT, 'demo-output');
const STATE = BASE ? path.join(BASE, 'testbed') : path.join(REPO_ROOT, '.testbed', 'demo');
const RUNNER_TEMP = BASE ? path.join(BASE, 'runner') : path.join(REPO_ROOT, '.testbed', 'demo-runner');
const started = Date.now();

async function main(): Promise<number> {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  console.log('Starting the local Azure test bed ...');
  // No dockerd: the image is built in the registry, the runner's Docker is never touched.
  const testbed = await startTestbed({ stateDir: STATE, docker: false, log: () => {} });
  try {
    const s = testbed.settings;
    console.log(`Test bed up in ${(testbed.startupMs / 1000).toFixed(1)} s: ARM ${s.armEndpoint}, registry ${s.registryLoginServer}${testbed.notes.length ? ` (${testbed.notes.join('; ')})` : ''}`);
    const inputs: Record<string, string> = process.argv.includes('--custom-vision')
      ? {
          ...testbedInputs(s),
          'model-source': 'custom-vision',
          'custom-vision-endpoint': s.customVisionEndpoint,
          'custom-vision-training-key': s.customVisionTrainingKey,
          'custom-vision-project-name': 'street-signs',
          'custom-vision-dataset': 'samples/custom-vision/dataset',
          'endpoint-name': 'street-signs',
          'smoke-test-images': 'samples/custom-vision/images/test.png',
          'output-dir': OUT,
        }
      : {
          ...testbedInputs(s),
          'model-repository': 'samples/tao-detectnet-v2/model_repository',
          'model-name': 'DetectNet',
          'endpoint-name': 'triton-tao-endpoint',
          'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
          'smoke-test-images': 'samples/tao-detectnet-v2/images/street.*',
          'output-dir': OUT,
        };
    // custom_model without Docker: ACR imports the base from the stand-in for nvcr.io (private, NGC-style
    // credentials) and the action writes only a new config and manifest over its layers.
    inputs['triton-base-image'] = s.baseImage;
    inputs['base-image-username'] = s.baseImageUsername;
    inputs['base-image-password'] = s.baseImagePassword;
    inputs['image-build'] = 'registry';
    console.log('Running dist/index.js ...\n');
    // Printed in order; an artifact link is swapped for the test bed's download URL once the upload is done.
    let printing = Promise.resolve();
    const echo = (text: string) => {
      printing = printing.then(async () => void process.stdout.write(await withTestbedArtifactLinks(s, text)));
    };
    const run = await runAction({ settings: s, inputs, workspaceDir: REPO_ROOT, runnerTemp: RUNNER_TEMP, echo });
    await printing;
    fs.writeFileSync(path.join(OUT, 'job-summary.md'), await withTestbedArtifactLinks(s, run.summary));
    const violations = await specViolations(s);
    console.log(`\nExit code ${run.exitCode}. Outputs:`);
    for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k}: ${v}`);
    // Where GitHub users look: the environment's deployment (its URL is the scoring URI) and the latency.
    for (const d of await control<DeploymentRecord[]>(s, 'GET', '/github-api/deployments').catch(() => [] as DeploymentRecord[])) {
      const url = d.statuses.at(-1)?.environment_url;
      console.log(`GitHub environment '${d.environment}': deployment ${d.id} ${d.statuses.map((x) => x.state).join(' -> ')}${url ? `, environment URL ${url}` : ''}`);
    }
    for (const line of run.log.match(/latency of [^\n]*/g) ?? []) console.log(`Latency: ${line.replace(/^latency of /, '')}`);
    console.log(`Spec check: ${violations.length === 0 ? 'every ARM request and response matched the official specs' : `${violations.length} violation(s), see ${path.join(OUT, 'spec-violations.json')}`}`);
    if (violations.length) fs.writeFileSync(path.join(OUT, 'spec-violations.json'), JSON.stringify(violations, null, 2));
    console.log(`Job summary, plan and annotated images: ${OUT}`);
    return run.exitCode !== 0 ? run.exitCode : violations.length ? 3 : 0;
  } finally {
    await testbed.stop();
  }
}

const total = () => console.log(`Total time: ${((Date.now() - started) / 1000).toFixed(1)} s`);

main().then(
  (code) => {
    total();
    process.exit(code);
  },
  (e) => {
    console.error(e);
    total();
    process.exit(1);
  },
);
