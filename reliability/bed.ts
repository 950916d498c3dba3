/**
 * One test bed and the runs made on it: the action started as the runner starts it, its peak RSS read
 * from /proc/<pid>/status (VmHWM) while it runs, a hard kill past its time limit, and the test bed
 * put back to a clean state (faults, lifetimes, scoring faults) between runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runAction, testbedInputs, type ActionRun } from '../testbed/action-runner';
import { control } from '../testbed/control-client';
import { AZURITE_KEY } from '../testbed/peers/azurite';
import type { MlStateSummary } from '../testbed/machine-learning/state-summary';
import type { FaultSpec } from '../testbed/server/faults';
import type { RecordedExchange } from '../testbed/server/request-log';
import { startTestbed, type RunningTestbed } from '../testbed/start-testbed';

export interface TimedRun extends ActionRun {
  durationMs: number;
  /** Peak resident set of the action's process (VmHWM), in MB; 0 when /proc is not readable. */
  peakRssMb: number;
  /** The harness killed it (SIGKILL) past its hard limit: a hang. */
  hung: boolean;
  /** Milliseconds between the harness's SIGTERM and the exit, when it sent one. */
  stopAfterTermMs?: number;
  inputs: Record<string, string>;
}

export interface RunOptions {
  inputs: Record<string, string>;
  /** timeout-minutes given to the action; the hard limit is this plus `graceMs`. */
  timeoutMinutes?: number;
  graceMs?: number;
  /** SIGTERM after this many ms. */
  termAfterMs?: number;
}

export const DEFAULT_GRACE_MS = 30_000;
/** A run that outlives timeout-minutes by more than this hung, even if it ended before the hard kill. */
export const TIMEOUT_SLACK_MS = 15_000;
const MEMORY_POLL_MS = 25;

function readVmHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export class Bed {
  private runs = 0;
  private constructor(
    readonly index: number,
    readonly testbed: RunningTestbed,
    readonly workspace: string,
    private readonly scratch: string,
  ) {}

  static async start(index: number, scratchRoot: string): Promise<Bed> {
    const scratch = path.join(scratchRoot, `bed-${index}`);
    fs.mkdirSync(scratch, { recursive: true });
    const testbed = await startTestbed({ docker: false, stateDir: path.join(scratch, 'testbed'), log: () => {} });
    const workspace = path.join(scratch, 'repo');
    fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(workspace, 'samples'), { recursive: true });
    const bed = new Bed(index, testbed, workspace, scratch);
    await bed.reset();
    return bed;
  }

  get settings() {
    return this.testbed.settings;
  }

  /** Inputs every run gets: the test bed's cloud, the stand-in base image and its credentials. */
  baseInputs(): Record<string, string> {
    const s = this.settings;
    return { ...testbedInputs(s), 'triton-base-image': s.baseImage, 'base-image-username': s.baseImageUsername, 'base-image-password': s.baseImagePassword };
  }

  /** Clean test bed behaviour: no faults, normal token lifetimes, short provisioning times. */
  async reset(): Promise<void> {
    const s = this.settings;
    await Promise.all([
      control(s, 'DELETE', '/faults'),
      control(s, 'DELETE', '/ml/scoring-faults'),
      control(s, 'DELETE', '/ml/provisioning-failures'),
      control(s, 'POST', '/entra/token-lifetime', { accessTokenSeconds: 3600, oidcTokenSeconds: 300 }),
      control(s, 'POST', '/ml/timing', { provisioningMs: 300, endpointProvisioningMs: 100, retryAfterSeconds: 0 }),
      control(s, 'POST', '/custom-vision/timing', { trainingMs: 300, exportMs: 100 }),
      // Hundreds of endpoints on one test bed: quota must not be what fails them.
      control(s, 'POST', '/ml/quota', { families: { standardNCASv3_T4Family: { limit: 1_000_000 } }, total: { limit: 1_000_000 } }),
    ]);
  }

  fault(spec: FaultSpec): Promise<unknown> {
    return control(this.settings, 'POST', '/faults', spec);
  }

  control<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
    return control<T>(this.settings, method, p, body);
  }

  state(): Promise<MlStateSummary> {
    return control<MlStateSummary>(this.settings, 'GET', '/ml/state');
  }

  requests(): Promise<RecordedExchange[]> {
    return control<RecordedExchange[]>(this.settings, 'GET', '/requests');
  }

  /**
   * The secrets of the runs since the last reset-log: the fixed ones the action is given (client secret,
   * training key, storage key, OIDC request token, base image password) and every one an answer carried
   * (GET /_testbed/issued-secrets; the registry tokens dockerd fetches stay inside dockerd).
   */
  async secrets(): Promise<{ kind: string; value: string }[]> {
    const s = this.settings;
    const issued = await control<{ field: string; value: string; url: string; userAgent: string }[]>(s, 'GET', '/issued-secrets');
    return [
      { kind: 'client secret', value: s.clientSecret },
      { kind: 'training key', value: s.customVisionTrainingKey },
      { kind: 'storage account key', value: AZURITE_KEY },
      { kind: 'GitHub OIDC request token', value: s.githubOidcRequestToken },
      { kind: 'base image password', value: s.baseImagePassword },
      ...issued.filter((i) => !/^docker\//i.test(i.userAgent)).map((i) => ({ kind: `${i.field} from ${i.url.split('?')[0]}`, value: i.value })),
    ].filter((x) => typeof x.value === 'string' && x.value.length >= 8);
  }

  resetLog(): Promise<unknown> {
    return control(this.settings, 'POST', '/reset-log');
  }

  async run(options: RunOptions): Promise<TimedRun> {
    const timeoutMinutes = options.timeoutMinutes ?? 1;
    const hardLimitMs = timeoutMinutes * 60_000 + (options.graceMs ?? DEFAULT_GRACE_MS);
    const runnerTemp = path.join(this.scratch, `runner-${++this.runs}`);
    const inputs = { ...this.baseInputs(), 'timeout-minutes': String(timeoutMinutes), ...options.inputs };
    let pid: number | undefined;
    let peakKb = 0;
    let hung = false;
    let termAt: number | undefined;
    const timers: NodeJS.Timeout[] = [];
    const started = Date.now();
    const run = await runAction({
      settings: this.settings, inputs, workspaceDir: this.workspace, runnerTemp,
      onSpawn: (p) => {
        pid = p;
        // VmHWM only grows: the last reading before the exit is the peak (a 25 ms window is missed at most).
        timers.push(setInterval(() => { peakKb = Math.max(peakKb, readVmHwmKb(p) ?? 0); }, MEMORY_POLL_MS));
        timers.push(setTimeout(() => { hung = true; try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }, hardLimitMs));
        if (options.termAfterMs !== undefined) {
          timers.push(setTimeout(() => { termAt = Date.now(); try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }, options.termAfterMs));
        }
      },
    }).finally(() => timers.forEach((t) => clearTimeout(t)));
    void pid;
    const ended = Date.now();
    const overTime = ended - started > timeoutMinutes * 60_000 + TIMEOUT_SLACK_MS;
    return { ...run, durationMs: ended - started, peakRssMb: Math.round(peakKb / 1024), hung: hung || overTime, stopAfterTermMs: termAt ? ended - termAt : undefined, inputs };
  }

  async stop(): Promise<void> {
    await this.testbed.stop();
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}
