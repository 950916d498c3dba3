/**
 * A typed stand-in for @actions/core, for running `run()` (src/main.ts) in process:
 *
 *   jest.mock('@actions/core', () => jest.requireActual('<this file>').coreModule);
 *
 * Inputs come from a typed map (and INPUT_* variables, which readInputs checks for presence, as
 * the runner sets them); outputs, failures, log lines and groups are recorded in one ordered list,
 * so a test can say what happened before what. The job summary is @actions/core's own renderer,
 * written to a scratch GITHUB_STEP_SUMMARY file. Output names are checked against action.yml.
 */
import type * as Core from '@actions/core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import type { InputName } from '../../../src/config/input-defaults';

// Not the package's index: its oidc-utils requires './core', which jest would resolve to this mock.
const { summary } = jest.requireActual<typeof import('@actions/core/lib/summary')>('@actions/core/lib/summary');
const ACTION_YML = path.resolve(__dirname, '../../../action.yml');

export type OutputName = 'endpoint-name' | 'scoring-uri' | 'deployment-name' | 'model-id' | 'model-version' | 'image' | 'detections' | 'annotated-image' | 'plan';

export type CoreEvent =
  | { kind: 'output'; name: OutputName; value: string }
  | { kind: 'failed'; message: string }
  | { kind: 'info' | 'warning' | 'debug' | 'notice'; message: string }
  | { kind: 'error'; message: string; file?: string; line?: number }
  | { kind: 'group'; title: string }
  | { kind: 'endgroup' }
  | { kind: 'secret'; value: string };

export interface RunSetup {
  inputs: Partial<Record<InputName, string>>;
  /** The runner's variables (GITHUB_WORKSPACE, RUNNER_TEMP, ACTIONS_ID_TOKEN_REQUEST_URL, ...); restored by end(). */
  env?: Record<string, string | undefined>;
}

class ActionsCoreFixture {
  events: CoreEvent[] = [];
  private inputs: Partial<Record<string, string>> = {};
  private savedEnv: Record<string, string | undefined> = {};
  // One path for the process: @actions/core's summary remembers the first GITHUB_STEP_SUMMARY it saw.
  private readonly summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'core-fixture-')), 'step_summary.md');
  private readonly declaredOutputs = new Set(Object.keys((parse(fs.readFileSync(ACTION_YML, 'utf8')) as { outputs: object }).outputs));

  /** Sets inputs and environment for one run; call end() afterwards. */
  begin(setup: RunSetup): void {
    this.events = [];
    this.inputs = { ...setup.inputs };
    fs.writeFileSync(this.summaryFile, '');
    const env: Record<string, string | undefined> = { GITHUB_STEP_SUMMARY: this.summaryFile, GITHUB_OUTPUT: undefined, ...setup.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) env[name] = undefined;
    for (const [name, value] of Object.entries(setup.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    for (const [name, value] of Object.entries(env)) {
      if (!(name in this.savedEnv)) this.savedEnv[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  end(): void {
    for (const [name, value] of Object.entries(this.savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.savedEnv = {};
    summary.emptyBuffer();
    fs.rmSync(this.summaryFile, { force: true });
  }

  get outputs(): Partial<Record<OutputName, string>> {
    const out: Partial<Record<OutputName, string>> = {};
    for (const e of this.events) if (e.kind === 'output') out[e.name] = e.value;
    return out;
  }

  get failures(): string[] {
    return this.events.flatMap((e) => (e.kind === 'failed' ? [e.message] : []));
  }

  /** Group titles in the order they were opened. */
  get groups(): string[] {
    return this.events.flatMap((e) => (e.kind === 'group' ? [e.title] : []));
  }

  /** Everything written to the log (info, warnings, errors), one line per call. */
  get log(): string {
    return this.events.map((e) => ('message' in e ? `${e.kind}: ${e.message}` : e.kind === 'group' ? `group: ${e.title}` : e.kind)).join('\n');
  }

  get summary(): string {
    return fs.existsSync(this.summaryFile) ? fs.readFileSync(this.summaryFile, 'utf8') : '';
  }

  input(name: string, options?: Core.InputOptions): string {
    const value = this.inputs[name] ?? '';
    if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`);
    return options?.trimWhitespace === false ? value : value.trim();
  }

  output(name: string, value: unknown): void {
    if (!this.declaredOutputs.has(name)) throw new Error(`setOutput('${name}'): action.yml declares no such output`);
    this.events.push({ kind: 'output', name: name as OutputName, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
}

export const actionsCore = new ActionsCoreFixture();

const text = (m: string | Error): string => (m instanceof Error ? m.toString() : m);

/** The parts of @actions/core the action uses (a new one fails as "not a function"), recording into `actionsCore`. */
export type UsedCore = Pick<typeof Core, 'getInput' | 'setOutput' | 'setSecret' | 'setFailed' | 'info' | 'debug' | 'notice' | 'warning' | 'error' | 'startGroup' | 'endGroup' | 'group' | 'isDebug' | 'summary'>;

export const coreModule: UsedCore = {
  getInput: (name, options) => actionsCore.input(name, options),
  setOutput: (name, value) => actionsCore.output(name, value),
  setSecret: (value) => void actionsCore.events.push({ kind: 'secret', value }),
  setFailed: (message) => {
    actionsCore.events.push({ kind: 'failed', message: text(message) });
  },
  info: (message) => void actionsCore.events.push({ kind: 'info', message }),
  debug: (message) => void actionsCore.events.push({ kind: 'debug', message }),
  notice: (message) => void actionsCore.events.push({ kind: 'notice', message: text(message) }),
  warning: (message) => void actionsCore.events.push({ kind: 'warning', message: text(message) }),
  error: (message, props) => void actionsCore.events.push({ kind: 'error', message: text(message), file: props?.file, line: props?.startLine }),
  startGroup: (title) => void actionsCore.events.push({ kind: 'group', title }),
  endGroup: () => void actionsCore.events.push({ kind: 'endgroup' }),
  group: async (title, f) => {
    actionsCore.events.push({ kind: 'group', title });
    try {
      return await f();
    } finally {
      actionsCore.events.push({ kind: 'endgroup' });
    }
  },
  isDebug: () => true,
  summary,
};
