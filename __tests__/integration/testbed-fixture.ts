/** One test bed per integration test file, plus a scratch copy of the repository a user would have. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs, type ActionRun } from '../../testbed/action-runner';
import { control, specViolations } from '../../testbed/control-client';
import type { MlStateSummary } from '../../testbed/machine-learning/state-summary';
import { startTestbed, type RunningTestbed, type StartTestbedOptions } from '../../testbed/start-testbed';
import { seedTritonBaseImage } from '../../testbed/triton-base-image';

export interface Fixture {
  testbed: RunningTestbed;
  /** The user's checkout: a copy of samples/ it may change between runs. */
  workspace: string;
  baseImage?: string;
  run(inputs: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  runWith(args: { inputs: Record<string, string>; env?: Record<string, string>; killAfterMs?: number; killWhen?: RegExp; killOn?: Promise<unknown> }): Promise<ActionRun>;
  state(): Promise<MlStateSummary>;
  stop(): Promise<void>;
}

let runs = 0;

/** docker: false starts no dockerd; the base is then the stand-in for nvcr.io (built in the registry). */
export async function startFixture(name: string, options: Pick<StartTestbedOptions, 'registry' | 'docker'> = {}): Promise<Fixture> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `it-${name}-`));
  const testbed = await startTestbed({ ...options, stateDir: path.join(scratch, 'testbed'), log: () => {} });
  const workspace = path.join(scratch, 'repo');
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(workspace, 'samples'), { recursive: true });
  const s = testbed.settings;
  const baseImage = options.docker === false ? s.baseImage : s.dockerHost ? seedTritonBaseImage(s.dockerHost, testbed.context.registry.backendUrl, s.registryLoginServer) : undefined;
  const runWith: Fixture['runWith'] = ({ inputs, env, killAfterMs, killWhen, killOn }) =>
    runAction({
      settings: s,
      inputs: { ...testbedInputs(s), ...(baseImage ? { 'triton-base-image': baseImage } : { 'model-type': 'triton_model' }), ...inputs },
      workspaceDir: workspace,
      runnerTemp: path.join(scratch, `runner-${++runs}`),
      env,
      killAfterMs,
      killWhen,
      killOn,
    });
  return {
    testbed,
    workspace,
    baseImage,
    runWith,
    run: (inputs, env) => runWith({ inputs, env }),
    state: () => control<MlStateSummary>(s, 'GET', '/ml/state'),
    async stop() {
      await testbed.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export { control, specViolations };

/** A readable failure message: the action's log tail. */
export function tail(run: ActionRun, lines = 40): string {
  return run.log.split('\n').filter((l) => !l.startsWith('::debug::')).slice(-lines).join('\n');
}
