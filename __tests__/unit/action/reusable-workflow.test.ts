/**
 * The reusable workflow (.github/workflows/deploy-triton.yml) checked against action.yml: what it
 * passes to the action, what it returns to the caller, and how it serialises deploys.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const read = (rel: string) => YAML.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8'));
const action = read('action.yml');
const wf = read('.github/workflows/deploy-triton.yml');
const call = wf.on.workflow_call;
const deployJob = wf.jobs.deploy;
const actionStep = (deployJob.steps as { id?: string; uses?: string; with?: Record<string, unknown> }[]).find((s) => /^aml-triton-deploy\/aml-triton-deploy@/.test(s.uses ?? ''))!;
const withs = actionStep.with as Record<string, string>;

/**
 * Action inputs that may come from `secrets.*`: credentials, none of which any output contains.
 * Every other value the action sees (subscription, group, workspace, names) can end up in an output
 * (model-id is /subscriptions/{sub}/resourceGroups/{group}/.../workspaces/{ws}/models/{name}/...),
 * and GitHub redacts a job output that contains any secret's value.
 */
const CREDENTIAL_INPUTS = ['client-id', 'tenant-id', 'client-secret', 'custom-vision-endpoint', 'custom-vision-training-key', 'base-image-password'];
/** Action inputs the workflow sets itself instead of asking the caller. */
const SET_BY_WORKFLOW: Record<string, RegExp> = {
  'output-dir': /^\$\{\{ runner\.temp \}\}\//,
  'endpoint-name': /^\$\{\{ needs\.endpoint\.outputs\.name \}\}$/,
  // The job's own token (deployments are recorded by the job's environment, comments need pull-requests: write).
  'github-token': /^\$\{\{ github\.token \}\}$/,
  'github-environment': /^\$\{\{ inputs\.environment \}\}$/,
  'github-deployment': /^false$/,
};

const expr = (v: unknown) => /^\$\{\{\s*(.+?)\s*\}\}$/.exec(String(v))?.[1];

describe('the reusable workflow and action.yml', () => {
  it('passes the action only inputs action.yml declares', () => {
    const unknown = Object.keys(withs).filter((k) => !(k in action.inputs));
    expect(unknown).toEqual([]);
  });

  it('exposes every action input a caller needs, under the same name and with the same default', () => {
    for (const name of Object.keys(action.inputs)) {
      const value = withs[name];
      expect([name, value]).toEqual([name, expect.any(String)]);
      if (CREDENTIAL_INPUTS.includes(name)) continue;
      if (SET_BY_WORKFLOW[name]) {
        expect(value).toMatch(SET_BY_WORKFLOW[name]);
        continue;
      }
      expect(expr(value)).toBe(`inputs.${name}`);
      const declared = call.inputs[name];
      expect([name, declared]).toEqual([name, expect.objectContaining({ type: expect.stringMatching(/^(string|number|boolean)$/) })]);
      // A default the action would not have used changes behaviour: a YAML file's value wins only over an input left at its default.
      const callerDefault = declared.required ? action.inputs[name].default ?? '' : String(declared.default ?? '');
      expect([name, callerDefault]).toEqual([name, String(action.inputs[name].default ?? '')]);
    }
  });

  it('declares no workflow input it does not use', () => {
    const jobs = JSON.stringify(wf.jobs);
    const unused = Object.keys(call.inputs).filter((k) => !new RegExp(`inputs\\.${k}(?![\\w-])`).test(jobs));
    expect(unused).toEqual([]);
  });

  it('feeds the action secrets only for credentials', () => {
    const fromSecrets = Object.entries(withs).filter(([, v]) => /secrets\./.test(String(v))).map(([k]) => k);
    expect(fromSecrets.filter((k) => !CREDENTIAL_INPUTS.includes(k))).toEqual([]);
    for (const name of ['subscription-id', 'resource-group', 'workspace']) {
      expect(call.inputs[name]).toMatchObject({ type: 'string', required: true });
      expect(call.secrets?.[name.toUpperCase()]).toBeUndefined();
    }
    expect(Object.keys(call.secrets).filter((s) => /RESOURCE_GROUP|WORKSPACE|SUBSCRIPTION/.test(s))).toEqual([]);
  });

  it("returns the action's outputs, none of them derived from a secret", () => {
    const secretFed = new Set(Object.entries(withs).filter(([, v]) => /secrets\./.test(String(v))).map(([k]) => k));
    for (const [name, spec] of Object.entries(call.outputs as Record<string, { value: string }>)) {
      const jobOut = /^jobs\.deploy\.outputs\.([\w-]+)$/.exec(expr(spec.value) ?? '')?.[1];
      expect([name, jobOut]).toEqual([name, name]);
      const stepOut = /^steps\.deploy\.outputs\.([\w-]+)$/.exec(expr(deployJob.outputs[jobOut!]) ?? '')?.[1];
      expect([name, stepOut]).toEqual([name, name]);
      expect(action.outputs).toHaveProperty([stepOut!]);
    }
    expect(actionStep.id).toBe('deploy');
    // Every secret the deploy job is handed is a credential, and credentials reach no output.
    expect([...secretFed].every((k) => CREDENTIAL_INPUTS.includes(k))).toBe(true);
    expect(Object.values(deployJob.outputs).join(' ')).not.toMatch(/secrets\./);
    expect(Object.keys(call.outputs)).toEqual(expect.arrayContaining(['model-id', 'scoring-uri', 'deployment-name', 'endpoint-name', 'image']));
  });

  it('serialises deploys on the endpoint that is deployed, whichever input names it', () => {
    const group = String(deployJob.concurrency.group);
    expect(group).toContain('${{ needs.endpoint.outputs.name }}');
    expect(group).not.toMatch(/inputs\.endpoint-(name|file)/);
    expect(deployJob.concurrency['cancel-in-progress']).toBe(false);
    expect(deployJob.needs).toBe('endpoint');
    // The same value goes to the action, so the lock is on what the action deploys.
    expect(withs['endpoint-name']).toBe('${{ needs.endpoint.outputs.name }}');
    expect(wf.jobs.endpoint.outputs.name).toBe('${{ steps.name.outputs.name }}');
  });

  it('grants id-token and pull-requests only to the deploy job', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(deployJob.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
    expect(wf.jobs.endpoint.permissions).toBeUndefined();
  });

  it('is granted by the example callers every permission its jobs ask for (a caller grants at most its own)', () => {
    const rank: Record<string, number> = { none: 0, read: 1, write: 2 };
    for (const file of ['examples/workflows/deploy-by-hand.yml', 'examples/workflows/deploy-on-model-change.yml']) {
      const granted = read(file).permissions as Record<string, string>;
      for (const job of Object.values(wf.jobs) as { permissions?: Record<string, string> }[]) {
        for (const [scope, level] of Object.entries(job.permissions ?? {})) {
          expect([file, scope, rank[granted[scope] ?? 'none'] >= rank[level]]).toEqual([file, scope, true]);
        }
      }
    }
  });

  it("records the job's deployment in the environment with the scoring URI as its URL, and not a second one", () => {
    expect(deployJob.environment).toEqual({ name: '${{ inputs.environment }}', url: '${{ steps.deploy.outputs.scoring-uri }}' });
    expect(String(withs['github-deployment'])).toBe('false');
    expect(withs['github-environment']).toBe('${{ inputs.environment }}');
  });
});

describe("the endpoint job's script", () => {
  const step = (wf.jobs.endpoint.steps as { id?: string; run?: string; env?: Record<string, string> }[]).find((s) => s.id === 'name')!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endpoint-job-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the step as the runner does (bash -e, inputs through env) in a checkout holding `files`. */
  function resolve(inputs: { name?: string; endpointFile?: string; deploymentFile?: string }, files: Record<string, string>) {
    const work = fs.mkdtempSync(path.join(dir, 'ws-'));
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(work, f), text);
    const outFile = path.join(work, 'github_output');
    fs.writeFileSync(outFile, '');
    const r = spawnSync('bash', ['-e', '-c', step.run!], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: outFile, ENDPOINT_NAME: inputs.name ?? '', ENDPOINT_FILE: inputs.endpointFile ?? '', DEPLOYMENT_FILE: inputs.deploymentFile ?? '' },
    });
    return { code: r.status, out: fs.readFileSync(outFile, 'utf8'), log: r.stdout + r.stderr };
  }

  it('takes its inputs only through env', () => {
    expect(step.env).toEqual({ ENDPOINT_NAME: '${{ inputs.endpoint-name }}', ENDPOINT_FILE: '${{ inputs.endpoint-file }}', DEPLOYMENT_FILE: '${{ inputs.deployment-file }}' });
  });

  it('prefers the endpoint-name input', () => {
    expect(resolve({ name: 'detector', endpointFile: 'ep.yml' }, { 'ep.yml': 'name: other\n' }).out).toBe('name=detector\n');
  });

  it("reads the top-level name of endpoint-file, not a nested one", () => {
    const text = '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\ntags:\n  name: not-this\nname: "triton-tao-endpoint"  # the endpoint\nauth_mode: key\n';
    expect(resolve({ endpointFile: 'endpoint_aml.yml' }, { 'endpoint_aml.yml': text }).out).toBe('name=triton-tao-endpoint\n');
  });

  it("falls back to deployment-file's endpoint_name", () => {
    const r = resolve({ deploymentFile: 'dep.yml' }, { 'dep.yml': "name: blue\nendpoint_name: 'street-signs'\nmodel: azureml:x:1\n" });
    expect(r.out).toBe('name=street-signs\n');
  });

  it('stops, naming the input to set, when no valid name is found', () => {
    for (const [inputs, files] of [
      [{}, {}],
      [{ endpointFile: 'ep.yml' }, { 'ep.yml': 'auth_mode: key\n' }],
      [{ endpointFile: 'ep.yml' }, { 'ep.yml': 'name: ends-with-hyphen-\n' }],
      [{ name: 'a; rm -rf /' }, {}],
      [{ endpointFile: 'missing.yml' }, {}],
    ] as const) {
      const r = resolve(inputs, files);
      expect(r.code).not.toBe(0);
      expect(r.out).toBe('');
      expect(r.log).toMatch(/::error::.*(endpoint-name|does not exist)/);
    }
  });
});
