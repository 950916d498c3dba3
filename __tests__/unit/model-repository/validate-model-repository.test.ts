import * as fs from 'fs';
import * as path from 'path';
import { UserInputError, UserInputErrors } from '../../../src/errors';
import { validateModelRepository } from '../../../src/model-repository/validate-model-repository';
import { GraphBuilder } from '../../../testbed/onnx-models/graph-builder';
import { DataType, type DataTypeCode } from '../../../testbed/onnx-models/onnx-proto';
import {
  DETECTNET_CONFIG, FIXTURES, RepoLayout, cleanupRepositories, detectnetLayout, makeRepository,
} from './repository-fixture';

afterEach(cleanupRepositories);

async function problemsOf(root: string): Promise<UserInputError[]> {
  try {
    await validateModelRepository(root);
  } catch (e) {
    if (e instanceof UserInputErrors) return e.problems;
    throw e;
  }
  throw new Error('expected the repository to be refused');
}

const withConfig = (edit: (config: string) => string): RepoLayout => ({
  ...detectnetLayout(),
  'detectnet_tao/config.pbtxt': edit(DETECTNET_CONFIG),
});

describe('validateModelRepository on the guides\' repositories', () => {
  it('accepts the DetectNet_v2 repository and describes its model', async () => {
    const root = makeRepository(detectnetLayout());
    const repo = await validateModelRepository(root);
    expect(repo.root).toBe(root);
    expect(repo.models).toEqual([
      {
        name: 'detectnet_tao',
        configFile: 'detectnet_tao/config.pbtxt',
        platform: 'tensorrt_plan',
        backend: 'tensorrt',
        maxBatchSize: 16,
        inputs: [{ name: 'input_1', dataType: 'TYPE_FP32', dims: [3, 384, 1248], format: 'FORMAT_NCHW' }],
        outputs: [
          { name: 'output_bbox/BiasAdd', dataType: 'TYPE_FP32', dims: [12, 24, 78] },
          { name: 'output_cov/Sigmoid', dataType: 'TYPE_FP32', dims: [3, 24, 78] },
        ],
        versions: [1],
        modelFiles: ['detectnet_tao/1/model.plan'],
      },
    ]);
    expect(repo.files.map((f) => [f.path, f.size])).toEqual([
      ['detectnet_tao/1/model.plan', 21],
      ['detectnet_tao/config.pbtxt', Buffer.byteLength(DETECTNET_CONFIG)],
    ]);
    expect(repo.warnings).toEqual([]);
  });

  it('accepts the TAO toolkit repository with two models and several versions', async () => {
    const layout: RepoLayout = {};
    for (const m of ['dashcamnet_tao', 'peoplenet_tao']) {
      layout[`${m}/config.pbtxt`] = fs.readFileSync(`${FIXTURES}/tao-toolkit-triton-apps/model_repository/${m}/config.pbtxt`, 'utf8');
      layout[`${m}/1/model.plan`] = 'v1';
      layout[`${m}/2/model.plan`] = 'v2';
    }
    const repo = await validateModelRepository(makeRepository(layout));
    expect(repo.models.map((m) => [m.name, m.versions, m.modelFiles])).toEqual([
      ['dashcamnet_tao', [1, 2], ['dashcamnet_tao/1/model.plan', 'dashcamnet_tao/2/model.plan']],
      ['peoplenet_tao', [1, 2], ['peoplenet_tao/1/model.plan', 'peoplenet_tao/2/model.plan']],
    ]);
    expect(repo.models[1].outputs[0]).toEqual({ name: 'output_bbox/BiasAdd:0', dataType: 'TYPE_FP32', dims: [12, 34, 60] });
  });

  it('accepts other platforms with their own model files', async () => {
    // A real graph for the ONNX model: its declared tensors are checked against it.
    const g = new GraphBuilder();
    g.op('Cast', ['i'], { to: DataType.FLOAT }, 'o');
    const onnx = g.build({ graphName: 'cast', inputs: [{ name: 'i', elemType: 2 as DataTypeCode /* UINT8 */, shape: ['h', 'w', 3] }], outputs: [{ name: 'o', elemType: DataType.FLOAT, shape: ['n'] }] });
    const config = (name: string, platform: string, extra = ''): string =>
      `name: "${name}"\nplatform: "${platform}"\n${extra}input { name: "i" data_type: TYPE_UINT8 dims: [-1, -1, 3] }\noutput { name: "o" data_type: TYPE_FP32 dims: [-1] label_filename: "labels.txt" }\n`;
    const root = makeRepository({
      'onnx/config.pbtxt': config('onnx', 'onnxruntime_onnx', 'backend: "onnxruntime"\n'),
      'onnx/labels.txt': 'car\n',
      'tf/config.pbtxt': config('tf', 'tensorflow_savedmodel'),
      'tf/labels.txt': 'car\n',
      'tf/1/model.savedmodel/saved_model.pb': 'pb',
      'custom/config.pbtxt': config('custom', 'pytorch_libtorch', 'default_model_filename: "weights.pt"\n'),
      'custom/labels.txt': 'car\n',
      'custom/1/weights.pt': 'pt',
    });
    fs.mkdirSync(path.join(root, 'onnx', '3'));
    fs.writeFileSync(path.join(root, 'onnx', '3', 'model.onnx'), onnx);
    const repo = await validateModelRepository(root);
    expect(repo.models.map((m) => [m.name, m.backend, m.modelFiles])).toEqual([
      ['custom', 'pytorch', ['custom/1/weights.pt']],
      ['onnx', 'onnxruntime', ['onnx/3/model.onnx']],
      ['tf', 'tensorflow', ['tf/1/model.savedmodel']],
    ]);
  });

  it('lists READMEs, hidden folders and non-numeric folders as warnings and does not upload the first two', async () => {
    const root = makeRepository({ ...detectnetLayout(), 'README.md': 'docs', '.git/HEAD': 'ref', 'detectnet_tao/notes/a.txt': 'n' });
    const repo = await validateModelRepository(root);
    expect(repo.warnings).toEqual([
      `${path.join(root, '.git')}/: hidden folder, not uploaded`,
      `${path.join(root, 'README.md')}: not in a model folder, not uploaded`,
      `${path.join(root, 'detectnet_tao', 'notes')}/: not a numeric version folder; Triton ignores it (it is still uploaded)`,
    ]);
    expect(repo.files.map((f) => f.path)).toEqual(['detectnet_tao/1/model.plan', 'detectnet_tao/config.pbtxt', 'detectnet_tao/notes/a.txt']);
  });
});

describe('validateModelRepository refuses', () => {
  const cfg = 'detectnet_tao/config.pbtxt';
  // [what, layout, file (relative to root), line, message after "file:line:col: "]
  const cases: [string, RepoLayout, string, number | undefined, RegExp][] = [
    ['an unknown top-level field', withConfig((c) => c.replace('max_batch_size: 16', 'max_batch: 16')), cfg, 3, /unknown field 'max_batch' in ModelConfig; did you mean 'max_batch_size'\?/],
    ['a name that differs from the folder', withConfig((c) => c.replace('"detectnet_tao"', '"detectnet"')), cfg, 1, /name "detectnet" differs from the model folder 'detectnet_tao'/],
    ['an unknown platform', withConfig((c) => c.replace('"tensorrt_plan"', '"tensorrt_plna"')), cfg, 2, /unknown platform "tensorrt_plna"; .*did you mean "tensorrt_plan"/],
    ['a backend that contradicts the platform', withConfig((c) => `${c}backend: "onnxruntime"\n`), cfg, 25, /backend "onnxruntime" does not match platform "tensorrt_plan" \(line 2\); expected backend "tensorrt"/],
    ['a config without platform or backend', withConfig((c) => c.replace('platform: "tensorrt_plan"', '')), cfg, 1, /sets neither 'platform' nor 'backend'/],
    ['a negative max_batch_size', withConfig((c) => c.replace('max_batch_size: 16', 'max_batch_size: -1')), cfg, 3, /max_batch_size is -1; expected 0/],
    ['a zero dimension', withConfig((c) => c.replace('[ 12,24,78 ]', '[ 12,0,78 ]')), cfg, 16, /output "output_bbox\/BiasAdd" dims has 0; each dimension must be positive, or -1/],
    ['an unknown data type', withConfig((c) => c.replace('TYPE_FP32\n    format', 'TYPE_PF32\n    format')), cfg, 7, /expects one of TYPE_INVALID, .*\(did you mean TYPE_FP32\?\), found TYPE_PF32/],
    ['an input without data_type', withConfig((c) => c.replace('data_type: TYPE_FP32\n    format', 'format')), cfg, 5, /input "input_1" has no data_type/],
    ['an input without name', withConfig((c) => c.replace('name: "input_1"', '')), cfg, 5, /input has no name/],
    ['two outputs with one name', withConfig((c) => c.replace('"output_cov/Sigmoid"', '"output_bbox/BiasAdd"')), cfg, 19, /output "output_bbox\/BiasAdd" is declared twice \(first at line 14\)/],
    ['NCHW with two dims', withConfig((c) => c.replace('[ 3,384,1248 ]', '[ 384,1248 ]')), cfg, 8, /has format FORMAT_NCHW, which needs 3 dims/],
    ['a config without outputs', withConfig((c) => c.replace(/output \[[\s\S]*\n\]\n/, '')), cfg, 1, /declares no output/],
    ['a syntax error', withConfig((c) => c.replace('dims: [ 3,384,1248 ]', 'dims [ 3,384,1248 ]')), cfg, 9, /expected ':' or '\{' after field name 'dims', found '\['/],
    ['a TensorRT model folder without config.pbtxt', { 'detectnet_tao/1/model.plan': 'x' }, 'detectnet_tao/1/model.plan', undefined, /no config.pbtxt in .*detectnet_tao\/; Triton would fill in its inputs and outputs only by loading it with TensorRT/],
    ['a version folder without the engine', { 'detectnet_tao/config.pbtxt': DETECTNET_CONFIG, 'detectnet_tao/1/model.onnx': 'x' }, cfg, 2, /detectnet_tao\/1\/ has no model.plan \(found: model.onnx\)/],
    ['an empty version folder', { ...detectnetLayout(), 'detectnet_tao/2/': '' }, cfg, 2, /version folder detectnet_tao\/2\/ is empty; expected detectnet_tao\/2\/model.plan/],
    ['a model without version folder', { 'detectnet_tao/config.pbtxt': DETECTNET_CONFIG }, cfg, 1, /has no version folder; expected detectnet_tao\/1\/model.plan/],
    ['a default_model_filename leaving the folder', withConfig((c) => `${c}default_model_filename: "../../etc/passwd"\n`), cfg, 25, /must be a file name inside the version folder/],
    ['a missing label file', withConfig((c) => c.replace('dims: [ 3,24,78 ]', 'dims: [ 3,24,78 ]\n    label_filename: "labels.txt"')), cfg, 22, /label_filename "labels.txt" is not a file in detectnet_tao\//],
    ['a version policy naming a missing version', withConfig((c) => `${c}version_policy { specific { versions: [1, 4] } }\n`), cfg, 25, /version_policy lists version 4, but there is no detectnet_tao\/4\/ folder/],
    ['two scheduling choices', withConfig((c) => `${c}sequence_batching { }\n`), cfg, 25, /'sequence_batching' and 'dynamic_batching' \(line 24\) in ModelConfig are alternatives/],
    ['a file outside any model folder', { ...detectnetLayout(), 'model.plan': 'x' }, 'model.plan', undefined, /file outside any model folder/],
    ['a SavedModel that is a file', { 'tf/config.pbtxt': 'platform: "tensorflow_savedmodel"\ninput { name: "i" data_type: TYPE_FP32 dims: 1 }\noutput { name: "o" data_type: TYPE_FP32 dims: 1 }', 'tf/1/model.savedmodel': 'x' }, 'tf/config.pbtxt', 1, /tf\/1\/model.savedmodel is a file; a TensorFlow SavedModel is a folder/],
  ];

  it.each(cases)('%s', async (_what, layout, file, line, message) => {
    const root = makeRepository(layout);
    const problems = await problemsOf(root);
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p).toBeInstanceOf(UserInputError);
    expect(p.where.file).toBe(path.join(root, file));
    expect(p.where.line).toBe(line);
    expect(p.message).toMatch(message);
    expect(p.message.startsWith(line ? `${path.join(root, file)}:${line}:` : path.join(root, file))).toBe(true);
  });

  it('collects the problems of every model into one UserInputErrors', async () => {
    const root = makeRepository({
      ...withConfig((c) => c.replace('max_batch_size: 16', 'max_batch_size: -2')),
      'other/1/model.onnx': 'x',
      'stray.bin': 'x',
    });
    const problems = await problemsOf(root);
    expect(problems.map((p) => path.relative(root, p.where.file as string))).toEqual([
      'stray.bin',
      'detectnet_tao/config.pbtxt',
      'other/1/model.onnx',
    ]);
  });

  it('refuses a root that does not exist or is a file', async () => {
    const root = makeRepository({ 'f.txt': 'x' });
    await expect(validateModelRepository(path.join(root, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(validateModelRepository(path.join(root, 'f.txt'))).rejects.toThrow(/is not a folder/);
  });

  it('refuses an empty repository', async () => {
    await expect(validateModelRepository(makeRepository({}))).rejects.toThrow(/holds no model folder/);
  });
});

describe('validateModelRepository and symbolic links', () => {
  it('refuses a link to a file outside the repository', async () => {
    const outside = makeRepository({ 'secret.plan': 'not yours' });
    const root = makeRepository({ 'detectnet_tao/config.pbtxt': DETECTNET_CONFIG });
    fs.mkdirSync(path.join(root, 'detectnet_tao', '1'));
    fs.symlinkSync(path.join(outside, 'secret.plan'), path.join(root, 'detectnet_tao', '1', 'model.plan'));
    const problems = await problemsOf(root);
    expect(problems[0].message).toMatch(/model.plan: is a symbolic link to '.*secret.plan', outside the model repository/);
    expect(problems[0].where.file).toBe(path.join(root, 'detectnet_tao', '1', 'model.plan'));
  });

  it('refuses a relative link that climbs out of the repository and a link to a folder', async () => {
    const root = makeRepository(detectnetLayout());
    fs.symlinkSync('../../..', path.join(root, 'detectnet_tao', '1', 'up'));
    fs.symlinkSync('../1', path.join(root, 'detectnet_tao', '1', 'loop'));
    const messages = (await problemsOf(root)).map((p) => p.message);
    expect(messages).toHaveLength(2);
    expect(messages.some((m) => /up: is a symbolic link to .*, outside the model repository/.test(m))).toBe(true);
    expect(messages.some((m) => /loop: is a symbolic link to a folder/.test(m))).toBe(true);
  });

  it('reads a link to a file inside the repository as that file', async () => {
    const root = makeRepository({ ...detectnetLayout(), 'detectnet_tao/2/': '' });
    fs.symlinkSync('../1/model.plan', path.join(root, 'detectnet_tao', '2', 'model.plan'));
    const repo = await validateModelRepository(root);
    const [v1, v2] = repo.files.filter((f) => f.path.endsWith('model.plan'));
    expect(v2.path).toBe('detectnet_tao/2/model.plan');
    expect(v2.sha256).toBe(v1.sha256);
  });
});
