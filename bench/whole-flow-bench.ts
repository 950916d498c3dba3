/**
 * Benchmark 4: the whole action (dist/index.js, run as the runner runs it) on the demo's inputs
 * against a fresh test bed: the first run creates everything, the re-run with the same inputs must
 * find nothing to do. Reports wall time and the "N Azure calls" the action logs for each.
 */
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs } from '../testbed/action-runner';
import { startTestbed } from '../testbed/start-testbed';
import { seedTritonBaseImage } from '../testbed/triton-base-image';
import { onCleanup } from './cleanup-on-exit';
import { timeOnce } from './measurement';
import type { BenchRow } from './result-table';

export const NOOP_RERUN_TARGET_S = 5;

interface FlowRun {
  seconds: number;
  /** From the action's last line, "... (6.3 s, 29 Azure calls)" or "... (850 ms, 29 Azure calls)". */
  azureCalls: number;
}

/** The action's headline: "(850 ms, 29 Azure calls)" under a second, "(6.3 s, 29 Azure calls)" above. */
export function parseHeadline(log: string): { line: string; seconds: number; azureCalls: number } | undefined {
  const m = [...log.matchAll(/^.*\(([\d.]+) (m?s), (\d+) Azure calls?\).*$/gm)].pop();
  if (!m) return undefined;
  return { line: m[0].trim(), seconds: Number(m[1]) / (m[2] === 'ms' ? 1000 : 1), azureCalls: Number(m[3]) };
}

export async function benchWholeFlow(workDir: string, log: (s: string) => void): Promise<BenchRow[]> {
  // Registered before the start completes: a Ctrl-C during the start still stops the peers once they are up.
  const starting = startTestbed({ stateDir: path.join(workDir, 'testbed'), log: () => undefined });
  const forget = onCleanup(async () => (await starting.catch(() => undefined))?.stop());
  const testbed = await starting.catch((e: unknown) => {
    forget();
    throw e;
  });
  try {
    const s = testbed.settings;
    const inputs: Record<string, string> = {
      ...testbedInputs(s),
      'model-repository': 'samples/tao-detectnet-v2/model_repository',
      'model-name': 'DetectNet',
      'endpoint-name': 'triton-tao-endpoint',
      'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
      'smoke-test-images': 'samples/tao-detectnet-v2/images/street.*',
      'output-dir': path.join(workDir, 'action-output'),
    };
    const mode = s.dockerHost ? 'custom image built with docker' : 'model-type triton_model (no dockerd)';
    if (s.dockerHost) inputs['triton-base-image'] = seedTritonBaseImage(s.dockerHost, testbed.context.registry.backendUrl, s.registryLoginServer);
    else inputs['model-type'] = 'triton_model';
    log(`  test bed up in ${(testbed.startupMs / 1000).toFixed(1)} s; ${mode}`);

    const run = async (name: string): Promise<FlowRun> => {
      let result: Awaited<ReturnType<typeof runAction>> | undefined;
      const ms = await timeOnce(async () => (result = await runAction({ settings: s, inputs, workspaceDir: REPO_ROOT, runnerTemp: path.join(workDir, `runner-${name}`) })));
      const summaryLine = parseHeadline(result!.log);
      if (result!.exitCode !== 0 || !summaryLine) {
        throw new Error(`the ${name} run exited with ${result!.exitCode}${summaryLine ? '' : ' and logged no "N Azure calls" line'}:\n${result!.log.slice(-3000)}`);
      }
      log(`  ${name}: ${summaryLine.line} — ${(ms / 1000).toFixed(1)} s wall`);
      return { seconds: ms / 1000, azureCalls: summaryLine.azureCalls };
    };
    const first = await run('first');
    const again = await run('re-run');
    return [
      { area: 'flow', measure: `test bed start (${mode})`, value: testbed.startupMs / 1000, unit: 's', digits: 1 },
      { area: 'flow', measure: 'first run: create model, image, endpoint, deployment, smoke test, traffic', value: first.seconds, unit: 's', digits: 1 },
      { area: 'flow', measure: 'first run: Azure calls', value: first.azureCalls, unit: 'calls', digits: 0 },
      { area: 'flow', measure: 'no-op re-run (same inputs)', value: again.seconds, unit: 's', digits: 1, target: `< ${NOOP_RERUN_TARGET_S} s`, meets: again.seconds < NOOP_RERUN_TARGET_S },
      { area: 'flow', measure: 'no-op re-run: Azure calls', value: again.azureCalls, unit: 'calls', digits: 0, target: '<= 1/2 of the first run', meets: again.azureCalls <= first.azureCalls / 2 },
    ];
  } finally {
    forget();
    await testbed.stop();
  }
}
