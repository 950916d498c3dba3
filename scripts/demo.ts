/**
 * The main job on the bundled TAO DetectNet_v2 sample (or, with --custom-vision, a Custom Vision
 * detector trained from the bundled COCO dataset): starts the local Azure test bed, runs
 * dist/index.js as the runner would, prints the outputs and writes the job summary, the plan and the
 * annotated smoke-test images to demo-output/. Exits with the action's exit code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs } from '../testbed/action-runner';
import { specViolations } from '../testbed/control-client';
import { startTestbed } from '../testbed/start-testbed';

const OUT = path.join(REPO_ROOT, 'demo-output');

async function main(): Promise<number> {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  console.log('Starting the local Azure test bed ...');
  // No dockerd: the image is built in the registry, the runner's Docker is never touched.
  const testbed = await startTestbed({ stateDir: path.join(REPO_ROOT, '.testbed', 'demo'), docker: false, log: () => {} });
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
    const run = await runAction({ settings: s, inputs, workspaceDir: REPO_ROOT, runnerTemp: path.join(REPO_ROOT, '.testbed', 'demo-runner'), echo: true });
    fs.writeFileSync(path.join(OUT, 'job-summary.md'), run.summary);
    const violations = await specViolations(s);
    console.log(`\nExit code ${run.exitCode}. Outputs:`);
    for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k}: ${v}`);
    console.log(`Spec check: ${violations.length === 0 ? 'every ARM request and response matched the official specs' : `${violations.length} violation(s), see ${path.join(OUT, 'spec-violations.json')}`}`);
    if (violations.length) fs.writeFileSync(path.join(OUT, 'spec-violations.json'), JSON.stringify(violations, null, 2));
    console.log(`Job summary, plan and annotated images: ${OUT}`);
    return run.exitCode !== 0 ? run.exitCode : violations.length ? 3 : 0;
  } finally {
    await testbed.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
