/**
 * A corpus of bad inputs: each is refused by the config (before any Azure call) with a message that
 * names the input or file and quotes at most a short excerpt of the value, without reading an
 * oversized file whole. The integration test __tests__/integration/deploy/bad-inputs.test.ts runs
 * some of them through the whole action and counts ARM writes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildConfig, type RunEnvironment } from '../../../src/config/build-config';
import { INPUT_DEFAULTS, type RawInputs } from '../../../src/config/input-defaults';
import { UserInputError, UserInputErrors } from '../../../src/errors';
import { validateModelRepository } from '../../../src/model-repository/validate-model-repository';
import { resolveLabels } from '../../../src/plan/make-plan';

const SAMPLES = path.resolve(__dirname, '../../../samples/tao-detectnet-v2');
const MiB = 1024 * 1024;
/** Longest message a problem may print: a short excerpt of a value, never the value. */
const MAX_MESSAGE = 600;

let dir: string;
let env: RunEnvironment;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-inputs-'));
  fs.mkdirSync(path.join(dir, 'images'));
  fs.copyFileSync(path.join(SAMPLES, 'images/street.png'), path.join(dir, 'images/a.png'));
  env = { workspaceDir: dir, tempDir: dir, oidcAvailable: true };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function inputs(over: Partial<RawInputs>): RawInputs {
  return {
    ...INPUT_DEFAULTS,
    'subscription-id': '00000000-0000-0000-0000-000000000001',
    'resource-group': 'rg',
    workspace: 'ws',
    'client-id': 'c',
    'tenant-id': 't',
    'endpoint-name': 'detector',
    'smoke-test-images': 'images/*',
    ...over,
  };
}

/** A file of `bytes` zero bytes that takes no disk space: a reader that reads it whole shows in RSS. */
const sparse = (bytes: number) => ({ sparse: bytes });
type FileContent = string | { sparse: number };

function write(files: Record<string, FileContent>): void {
  for (const [name, content] of Object.entries(files)) {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(f, content);
    else {
      fs.writeFileSync(f, '');
      fs.truncateSync(f, content.sparse);
    }
  }
}

const big = (n: number, c = 'x') => c.repeat(n);
const tagLines = (n: number) => Array.from({ length: n }, (_, i) => `  t${i}: v${i}`).join('\n');
const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

interface BadInput {
  what: string;
  files: Record<string, FileContent>;
  inputs: Partial<RawInputs>;
  /** The input or file the problem must name. */
  names: { input?: string; file?: string };
  message: RegExp;
}

const CORPUS: BadInput[] = [
  {
    what: 'a deployment file with a 20 MB description',
    files: { 'dep-20mb.yml': `name: blue\ndescription: ${big(20 * MiB)}\n` },
    inputs: { 'deployment-file': 'dep-20mb.yml' },
    names: { input: 'deployment-file' },
    message: /dep-20mb\.yml is 20\.0 MiB; a Azure ML YAML file may be at most 256 KiB/,
  },
  {
    what: 'a 50 MB endpoint file',
    files: { 'ep-50mb.yml': sparse(50 * MiB) },
    inputs: { 'endpoint-file': 'ep-50mb.yml' },
    names: { input: 'endpoint-file' },
    message: /ep-50mb\.yml is 50\.0 MiB/,
  },
  {
    what: 'an endpoint description longer than Azure accepts',
    files: { 'ep-desc.yml': `name: detector\ndescription: ${big(6000)}\n` },
    inputs: { 'endpoint-file': 'ep-desc.yml' },
    names: { input: 'endpoint-file' },
    message: /ep-desc\.yml: description is 6000 characters \("x{20,60}… \(6000 characters\)\); at most 5000/,
  },
  {
    what: 'a deployment description longer than Azure accepts',
    files: { 'dep-desc.yml': `description: ${big(5001)}\n` },
    inputs: { 'deployment-file': 'dep-desc.yml' },
    names: { input: 'deployment-file' },
    message: /description is 5001 characters/,
  },
  {
    what: 'a description that is a 200 KB mapping',
    files: { 'dep-desc-map.yml': `description:\n  text: ${big(200_000)}\n` },
    inputs: { 'deployment-file': 'dep-desc-map.yml' },
    names: { file: 'dep-desc-map.yml' },
    message: /'description' must be a string, found \{"text":"x+… \(200011 characters as JSON\)/,
  },
  {
    what: '60 tags on the endpoint',
    files: { 'ep-tags.yml': `tags:\n${tagLines(60)}\n` },
    inputs: { 'endpoint-file': 'ep-tags.yml' },
    names: { input: 'endpoint-file' },
    message: /60 tags; Azure allows 50 per resource and the action adds 5, so at most 45/,
  },
  {
    what: 'a tag value longer than 256 characters',
    files: { 'dep-tagval.yml': `tags:\n  owner: ${big(300)}\n` },
    inputs: { 'deployment-file': 'dep-tagval.yml' },
    names: { input: 'deployment-file' },
    message: /tag 'owner' has a value of 300 characters .*Azure allows 256/,
  },
  {
    what: 'a tag name longer than 512 characters',
    files: { 'ep-tagname.yml': `tags: {"${big(100_000, 'k')}": v}\n` },
    inputs: { 'endpoint-file': 'ep-tagname.yml' },
    names: { input: 'endpoint-file' },
    message: /tag name "k+… \(100000 characters\) is longer than Azure's 512 characters/,
  },
  {
    what: 'a tag holding a 200 KB list',
    files: { 'dep-taglist.yml': `tags:\n  owner: [${big(200_000)}]\n` },
    inputs: { 'deployment-file': 'dep-taglist.yml' },
    names: { file: 'dep-taglist.yml' },
    message: /'tags\.owner' must be a string, number or boolean, found \["x+… \(200004 characters as JSON\)/,
  },
  {
    what: 'an unknown field with a 100 KB name',
    files: { 'dep-key.yml': `{"${big(100_000, 'q')}": 1}\n` },
    inputs: { 'deployment-file': 'dep-key.yml' },
    names: { file: 'dep-key.yml' },
    message: /unknown field 'q+…' \(100000 characters\)/,
  },
  {
    what: 'a model reference of 100 KB',
    files: { 'dep-model.yml': `model: ${big(100_000, 'm')}\n` },
    inputs: { 'deployment-file': 'dep-model.yml' },
    names: { file: 'dep-model.yml' },
    message: /'model: m+… \(100000 characters\)' is not an 'azureml:<name>:<version>' reference/,
  },
  {
    what: 'a YAML "billion laughs" alias bomb',
    files: { 'ep-laughs.yml': `${laughs}\nname: detector\n` },
    inputs: { 'endpoint-file': 'ep-laughs.yml' },
    names: { file: 'ep-laughs.yml' },
    message: /ep-laughs\.yml: its YAML aliases \(\*name\) cannot be resolved: .*at most 100 times/,
  },
  {
    what: 'an alias to an anchor that does not exist',
    files: { 'ep-noanchor.yml': 'name: detector\ntags: *env\n' },
    inputs: { 'endpoint-file': 'ep-noanchor.yml' },
    names: { file: 'ep-noanchor.yml' },
    message: /ep-noanchor\.yml: its YAML aliases \(\*name\) cannot be resolved: Unresolved alias.*: env\./,
  },
  {
    what: 'a 2 MB labels file',
    files: { 'labels-2mb.txt': sparse(2 * MiB) },
    inputs: { 'labels-file': 'labels-2mb.txt' },
    names: { input: 'labels-file' },
    message: /'labels-2mb\.txt', which is 2\.0 MiB; a labels file may be at most 1\.0 MiB/,
  },
  {
    what: 'a labels file with 50,000 names',
    files: { 'labels-many.txt': Array.from({ length: 50_000 }, (_, i) => `c${i}`).join('\n') },
    inputs: { 'labels-file': 'labels-many.txt' },
    names: { input: 'labels-file' },
    message: /labels-many\.txt lists 50000 labels; at most 10000/,
  },
  {
    what: 'a labels file with a 900 KB line',
    files: { 'labels-long.txt': `car\n${big(900_000, 'p')}\n` },
    inputs: { 'labels-file': 'labels-long.txt' },
    names: { input: 'labels-file' },
    message: /labels-long\.txt: label 2 is 900000 characters \("p+… \(900000 characters\)\); a class name may be at most 256/,
  },
  {
    what: 'an empty labels file',
    files: { 'labels-empty.txt': '\n\n' },
    inputs: { 'labels-file': 'labels-empty.txt' },
    names: { input: 'labels-file' },
    message: /labels-empty\.txt lists no labels: expected the model's class names, one a line/,
  },
  {
    what: 'a binary file as labels',
    files: { 'labels.png': fs.readFileSync(path.join(SAMPLES, 'images/street.png')).toString('latin1') },
    inputs: { 'labels-file': 'labels.png' },
    names: { input: 'labels-file' },
    message: /labels\.png holds NUL bytes/,
  },
  {
    what: 'a 2 MB clustering config',
    files: { 'clustering.prototxt': sparse(2 * MiB) },
    inputs: { 'clustering-config': 'clustering.prototxt' },
    names: { input: 'clustering-config' },
    message: /'clustering\.prototxt', which is 2\.0 MiB; a clustering config may be at most 256 KiB/,
  },
];

function problemsOf(over: Partial<RawInputs>): UserInputError[] {
  try {
    buildConfig(inputs(over), env);
  } catch (e) {
    if (e instanceof UserInputErrors) return e.problems;
    throw e;
  }
  return [];
}

describe('bad inputs are refused by the config, naming the input or file, quoting briefly', () => {
  it.each(CORPUS.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    write(c.files);
    const problems = problemsOf(c.inputs);
    const hit = problems.find((p) => c.message.test(p.message));
    expect(hit ? 'refused as expected' : problems.map((p) => p.message.slice(0, 300))).toBe('refused as expected');
    if (c.names.input) expect(hit!.where.input).toBe(c.names.input);
    if (c.names.file) expect(hit!.where.file).toBe(c.names.file);
    for (const p of problems) expect(p.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });
});

describe('YAML aliases', () => {
  it('reads endpoint tags given by an alias as the anchored mapping, as YAML defines it', () => {
    write({ 'ep-alias.yml': 'name: detector\ntraffic: &split\n  blue: 100\ntags: *split\n' });
    const c = buildConfig(inputs({ 'endpoint-file': 'ep-alias.yml' }), env);
    expect(c.endpoint.tags).toEqual({ blue: '100' });
  });

  it('sends the anchored tags when a deployment file uses an alias', () => {
    write({ 'dep-alias.yml': 'environment_variables: &vars\n  TEAM: vision\ntags: *vars\n' });
    const c = buildConfig(inputs({ 'deployment-file': 'dep-alias.yml' }), env);
    expect(c.deployment.tags).toEqual({ TEAM: 'vision' });
    expect(c.deployment.environmentVariables).toEqual({ TEAM: 'vision' });
  });
});

describe('model repository and labels, before any Azure call', () => {
  it('refuses a 50 MB config.pbtxt without reading it whole', async () => {
    const repo = path.join(dir, 'repo-big-config');
    fs.cpSync(path.join(SAMPLES, 'model_repository'), repo, { recursive: true });
    fs.truncateSync(path.join(repo, 'detectnet_tao/config.pbtxt'), 50 * MiB);
    const err = await validateModelRepository(repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputErrors);
    const [p] = (err as UserInputErrors).problems;
    expect(p.message).toMatch(/detectnet_tao[/\\]config\.pbtxt is 50\.0 MiB; a config\.pbtxt may be at most 1\.0 MiB/);
    expect(p.where.file).toBe(path.join(repo, 'detectnet_tao', 'config.pbtxt'));
  });

  it('refuses a labels file that does not fit the model, quoting only its first names', async () => {
    const repository = await validateModelRepository(path.join(SAMPLES, 'model_repository'));
    const labels = path.join(dir, 'labels-5000.txt');
    fs.writeFileSync(labels, Array.from({ length: 5000 }, (_, i) => `class-${i}`).join('\n'));
    const err = (() => {
      try {
        return resolveLabels(labels, repository, 'detectnet_tao', [], 'auto');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).where.input).toBe('labels-file');
    expect((err as UserInputError).message).toMatch(/labels-file 'labels-5000\.txt' lists 5000 labels \(class-0, class-1, class-2, class-3, class-4, … 4995 more\) but model 'detectnet_tao' \(detectnet_tao\/config\.pbtxt\) has 3 classes/);
    expect((err as UserInputError).message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });

  it('accepts labels that fit the model', async () => {
    const repository = await validateModelRepository(path.join(SAMPLES, 'model_repository'));
    const labels = path.join(dir, 'labels-3.txt');
    fs.writeFileSync(labels, 'car\nbicycle\nperson\n');
    expect(resolveLabels(labels, repository, 'detectnet_tao', [], 'auto')).toEqual(['car', 'bicycle', 'person']);
  });
});
