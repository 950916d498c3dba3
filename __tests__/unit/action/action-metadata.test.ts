import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { INPUT_DEFAULTS } from '../../../src/config/input-defaults';

const ROOT = path.resolve(__dirname, '../../..');
const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the code reads, with the same defaults', () => {
    const declared = Object.fromEntries(Object.entries(action.inputs as Record<string, { default?: string }>).map(([k, v]) => [k, v.default ?? '']));
    expect(declared).toEqual({ ...INPUT_DEFAULTS });
  });

  it('describes every input and output, and documents each in the README', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)] as [string, { description?: string }][]) {
      expect(spec.description?.length ?? 0).toBeGreaterThan(10);
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });

  it('has no output that could carry a secret', () => {
    expect(Object.keys(action.outputs).filter((o) => /key|token|secret|password/i.test(o))).toEqual([]);
  });
});

describe('workflows', () => {
  const files = [
    ...fs.readdirSync(path.join(ROOT, '.github/workflows')).map((f) => path.join(ROOT, '.github/workflows', f)),
    ...fs.readdirSync(path.join(ROOT, 'examples/workflows')).map((f) => path.join(ROOT, 'examples/workflows', f)),
  ];

  it.each(files)('%s never interpolates inputs into a run script', (file) => {
    const wf = YAML.parse(fs.readFileSync(file, 'utf8'));
    for (const job of Object.values(wf.jobs ?? {}) as { steps?: { run?: string }[] }[]) {
      for (const step of job.steps ?? []) {
        expect(step.run ?? '').not.toMatch(/\$\{\{\s*(inputs|github\.event|secrets)\./);
      }
    }
  });

  it('the reusable workflow is callable, least-privileged and serialised per endpoint', () => {
    const wf = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/deploy-triton.yml'), 'utf8'));
    expect(wf.on.workflow_call.inputs.environment.required).toBe(true);
    expect(wf.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(wf.jobs.deploy.concurrency['cancel-in-progress']).toBe(false);
    expect(wf.jobs.deploy.environment).toContain('inputs.environment');
  });

  it('the example callers use the reusable workflow on push to the model path and on workflow_dispatch', () => {
    const push = YAML.parse(fs.readFileSync(path.join(ROOT, 'examples/workflows/deploy-on-model-change.yml'), 'utf8'));
    const manual = YAML.parse(fs.readFileSync(path.join(ROOT, 'examples/workflows/deploy-by-hand.yml'), 'utf8'));
    expect(push.on.push.paths).toContain('model_repository/**');
    expect(manual.on.workflow_dispatch.inputs.environment.type).toBe('environment');
    for (const wf of [push, manual]) expect(wf.jobs.deploy.uses).toMatch(/deploy-triton\.yml@/);
  });
});
