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

  // GitHub's metadata syntax for a JavaScript action, checked here because no npm package ships a
  // metadata schema that accepts `using: node24` (the one in @action-validator/core 0.6.0 rejects it).
  it('follows the metadata syntax of a JavaScript action', () => {
    expect(Object.keys(action).filter((k) => !['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding'].includes(k))).toEqual([]);
    expect(typeof action.name).toBe('string');
    expect(typeof action.description).toBe('string');
    for (const [id, spec] of Object.entries(action.inputs as Record<string, Record<string, unknown>>)) {
      expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(Object.keys(spec).filter((k) => !['description', 'required', 'default', 'deprecationMessage'].includes(k))).toEqual([]);
      if ('default' in spec) expect([id, typeof spec.default]).toEqual([id, 'string']);
      if ('required' in spec) expect([id, typeof spec.required]).toEqual([id, 'boolean']);
    }
    for (const [id, spec] of Object.entries(action.outputs as Record<string, Record<string, unknown>>)) {
      expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(Object.keys(spec)).toEqual(['description']);
    }
    expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(action.branding.color);
    expect(typeof action.branding.icon).toBe('string');
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

  it.each(files)('%s never interpolates an expression into a run script (values go through env)', (file) => {
    const wf = YAML.parse(fs.readFileSync(file, 'utf8'));
    for (const job of Object.values(wf.jobs ?? {}) as { steps?: { run?: string }[] }[]) {
      for (const step of job.steps ?? []) {
        expect(step.run ?? '').not.toMatch(/\$\{\{/);
      }
    }
  });

  // Majors whose runtime is node24 (node20 is deprecated on the runners). An action not listed here
  // needs its node24 major added before it is used.
  const NODE24_MAJOR: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/upload-artifact': 5, 'actions/download-artifact': 5, 'actions/cache': 5 };
  const OWN = /^(aml-triton-deploy\/aml-triton-deploy(\/\.github\/workflows\/deploy-triton\.yml)?@v1|\.\/)/;
  const usesIn = (text: string) => [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s#]+)/gm)].map((m) => m[1]);

  it.each([...files, path.join(ROOT, 'README.md')])('%s uses only node24 majors of actions', (file) => {
    const uses = usesIn(fs.readFileSync(file, 'utf8'));
    for (const ref of uses.filter((u) => !OWN.test(u))) {
      const [name, version] = ref.split('@');
      expect([ref, name in NODE24_MAJOR]).toEqual([ref, true]);
      expect([ref, Number(/^v(\d+)$/.exec(version)?.[1])]).toEqual([ref, expect.any(Number)]);
      expect([ref, Number(version.slice(1)) >= NODE24_MAJOR[name]]).toEqual([ref, true]);
    }
  });

  it('the example callers give the reusable workflow only what it declares, names as inputs', () => {
    const call = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/deploy-triton.yml'), 'utf8')).on.workflow_call;
    for (const file of files.filter((f) => f.includes('examples'))) {
      const job = YAML.parse(fs.readFileSync(file, 'utf8')).jobs.deploy;
      expect(Object.keys(job.with).filter((k) => !(k in call.inputs))).toEqual([]);
      const required = Object.entries(call.inputs as Record<string, { required?: boolean }>).filter(([, v]) => v.required).map(([k]) => k);
      expect(required.filter((k) => !(k in job.with))).toEqual([]);
      expect(JSON.stringify(job.with)).not.toMatch(/secrets\./);
      expect(job.secrets).not.toBe('inherit');
      expect(Object.keys(job.secrets).filter((k) => !(k in call.secrets))).toEqual([]);
    }
  });

  it('the reusable workflow is callable with an environment (more in reusable-workflow.test.ts)', () => {
    const wf = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/deploy-triton.yml'), 'utf8'));
    expect(wf.on.workflow_call.inputs.environment.required).toBe(true);
    expect(JSON.stringify(wf.jobs.deploy.environment)).toContain('inputs.environment');
  });

  it('the example callers use the reusable workflow on push to the model path and on workflow_dispatch', () => {
    const push = YAML.parse(fs.readFileSync(path.join(ROOT, 'examples/workflows/deploy-on-model-change.yml'), 'utf8'));
    const manual = YAML.parse(fs.readFileSync(path.join(ROOT, 'examples/workflows/deploy-by-hand.yml'), 'utf8'));
    expect(push.on.push.paths).toContain('model_repository/**');
    expect(manual.on.workflow_dispatch.inputs.environment.type).toBe('environment');
    for (const wf of [push, manual]) expect(wf.jobs.deploy.uses).toMatch(/deploy-triton\.yml@/);
  });
});
