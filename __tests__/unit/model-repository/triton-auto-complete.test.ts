/**
 * Triton's auto-complete (issue 10, point 3): what the validator accepts without config.pbtxt, or
 * with a config that leaves inputs and outputs to Triton, and what it refuses because Triton would
 * refuse to load it. The ONNX files are real graphs from the test bed's generator.
 */
import * as path from 'path';
import { UserInputError, UserInputErrors } from '../../../src/errors';
import { validateModelRepository } from '../../../src/model-repository/validate-model-repository';
import { GraphBuilder } from '../../../testbed/onnx-models/graph-builder';
import { DataType, type ValueInfoInit } from '../../../testbed/onnx-models/onnx-proto';
import { configPbtxtForDetectNetV2, detectNetV2Model, genericDetectorModel } from '../../../testbed/onnx-models/onnx-models';
import { RepoLayout, cleanupRepositories, makeRepository } from './repository-fixture';

afterEach(cleanupRepositories);

/** makeRepository writes strings; ONNX bytes go through latin1 so every byte survives. */
const bytes = (model: Uint8Array): string => Buffer.from(model).toString('latin1');
const detectNet = bytes(detectNetV2Model({ height: 32, width: 64, classes: 2 }));
const generic = bytes(genericDetectorModel({ height: 32, width: 32, classes: 2 }));
const detectNetConfig = configPbtxtForDetectNetV2({ modelName: 'det', height: 32, width: 64, classes: 2 });

/** Sums two inputs into one output, with the shapes given (strings are symbolic dims). */
function adder(a: ValueInfoInit['shape'], b: ValueInfoInit['shape'], out: ValueInfoInit['shape']): string {
  const g = new GraphBuilder();
  g.op('Add', ['a', 'b'], {}, 'sum');
  return bytes(g.build({
    graphName: 'adder',
    inputs: [{ name: 'a', elemType: DataType.FLOAT, shape: a }, { name: 'b', elemType: DataType.FLOAT, shape: b }],
    outputs: [{ name: 'sum', elemType: DataType.FLOAT, shape: out }],
  }));
}

/** y = x + w, with the weight w also listed as a graph input (PyTorch's keep_initializers_as_inputs). */
function weightAsInput(): string {
  const g = new GraphBuilder();
  const w = g.floats([1, 2, 3, 4], [4], 'w');
  g.op('Add', ['x', w], {}, 'y');
  return bytes(g.build({
    graphName: 'weight_as_input',
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [4] }, { name: w, elemType: DataType.FLOAT, shape: [4] }],
    outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [4] }],
  }));
}

/** Writes the layout (ONNX strings as latin1) and validates it. */
async function validate(layout: RepoLayout) {
  const root = makeRepository({});
  const fs = await import('fs');
  for (const [rel, contents] of Object.entries(layout)) {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(rel.endsWith('/') ? abs : path.dirname(abs), { recursive: true });
    if (!rel.endsWith('/')) fs.writeFileSync(abs, Buffer.from(contents, rel.endsWith('.onnx') ? 'latin1' : 'utf8'));
  }
  return { root, result: validateModelRepository(root) };
}

async function problemsOf(layout: RepoLayout): Promise<{ root: string; problems: UserInputError[] }> {
  const { root, result } = await validate(layout);
  try {
    await result;
  } catch (e) {
    if (e instanceof UserInputErrors) return { root, problems: e.problems };
    throw e;
  }
  throw new Error('expected the repository to be refused');
}

describe('Triton auto-complete: accepted', () => {
  it('reads an ONNX model without config.pbtxt: platform, max_batch_size 4 for a variable batch dimension, inputs and outputs', async () => {
    const { result } = await validate({ 'det/1/model.onnx': detectNet });
    const repo = await result;
    expect(repo.models).toEqual([{
      name: 'det',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      maxBatchSize: 4,
      inputs: [{ name: 'input_1', dataType: 'TYPE_FP32', dims: [3, 32, 64] }],
      outputs: [
        { name: 'output_cov/Sigmoid', dataType: 'TYPE_FP32', dims: [2, 2, 4] },
        { name: 'output_bbox/BiasAdd', dataType: 'TYPE_FP32', dims: [8, 2, 4] },
      ],
      autoCompleted: ['platform onnxruntime_onnx', 'max_batch_size 4', 'input', 'output'],
      versions: [1],
      modelFiles: ['det/1/model.onnx'],
    }]);
    expect(repo.files.map((f) => f.path)).toEqual(['det/1/model.onnx']);
  });

  it('keeps max_batch_size 0 and the full shapes when the model has a fixed batch dimension', async () => {
    const { result } = await validate({ 'gen/1/model.onnx': generic });
    const [model] = (await result).models;
    expect(model.maxBatchSize).toBe(0);
    expect(model.inputs).toEqual([{ name: 'images', dataType: 'TYPE_FP32', dims: [1, 3, 32, 32] }]);
    expect(model.outputs.map((o) => [o.name, o.dataType, o.dims])).toEqual([
      ['boxes', 'TYPE_FP32', [1, -1, 4]], ['scores', 'TYPE_FP32', [1, -1]], ['labels', 'TYPE_INT64', [1, -1]],
    ]);
  });

  it('reads the latest version, as Triton serves it, and lists every version', async () => {
    const { result } = await validate({ 'm/1/model.onnx': generic, 'm/2/model.onnx': detectNet });
    const [model] = (await result).models;
    expect([model.versions, model.modelFiles, model.inputs[0].name]).toEqual([[1, 2], ['m/1/model.onnx', 'm/2/model.onnx'], 'input_1']);
  });

  it('reads a model.onnx folder (graph beside external weights)', async () => {
    const { result } = await validate({ 'm/1/model.onnx/model.onnx': detectNet, 'm/1/model.onnx/weights.bin': 'w' });
    const [model] = (await result).models;
    expect([model.modelFiles, model.inputs[0].dims]).toEqual([['m/1/model.onnx'], [3, 32, 64]]);
  });

  it('leaves weights listed as graph inputs out of the inputs, as Triton does; a config may declare one as an optional input', async () => {
    const { result } = await validate({
      'w/1/model.onnx': weightAsInput(),
      'wcfg/config.pbtxt': 'platform: "onnxruntime_onnx"\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "w_0" data_type: TYPE_FP32 dims: [ 4 ] optional: true } ]\noutput { name: "y" data_type: TYPE_FP32 dims: [ 4 ] }\n',
      'wcfg/1/model.onnx': weightAsInput(),
    });
    const repo = await result;
    expect(repo.models.map((m) => [m.name, m.inputs.map((i) => i.name)])).toEqual([['w', ['x']], ['wcfg', ['x', 'w_0']]]);
  });

  it('fills in the inputs and outputs of a config that sets only the platform, keeping its max_batch_size', async () => {
    const { result } = await validate({ 'det/config.pbtxt': 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\n', 'det/1/model.onnx': detectNet });
    const [model] = (await result).models;
    expect([model.configFile, model.maxBatchSize, model.autoCompleted, model.inputs[0].dims]).toEqual(['det/config.pbtxt', 8, ['input', 'output'], [3, 32, 64]]);
  });

  it('fills in only the outputs when the config lists the inputs', async () => {
    const config = 'backend: "onnxruntime"\nmax_batch_size: 2\ninput { name: "input_1" data_type: TYPE_FP32 dims: [ 3, 32, 64 ] }\n';
    const { result } = await validate({ 'det/config.pbtxt': config, 'det/1/model.onnx': detectNet });
    const [model] = (await result).models;
    expect([model.autoCompleted, model.outputs.map((o) => o.dims)]).toEqual([['output'], [[2, 2, 4], [8, 2, 4]]]);
  });

});

describe('Triton auto-complete: a complete config is still accepted as before (guards against refusing too much)', () => {
  it('accepts a complete config that agrees with the graph, and an input that fixes a variable dimension', async () => {
    const { result } = await validate({
      'det/config.pbtxt': detectNetConfig.replace('name: "det"', ''),
      'det/1/model.onnx': detectNet,
      'add/config.pbtxt': 'platform: "onnxruntime_onnx"\ninput [ { name: "a" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "b" data_type: TYPE_FP32 dims: [ 4 ] } ]\noutput { name: "sum" data_type: TYPE_FP32 dims: [ -1 ] }\n',
      'add/1/model.onnx': adder(['n'], ['n'], ['n']),
    });
    const repo = await result;
    expect(repo.models.map((m) => [m.name, m.maxBatchSize, m.autoCompleted])).toEqual([['add', 0, undefined], ['det', 16, undefined]]);
  });
});

describe('Triton auto-complete: refused as Triton would refuse it', () => {
  // [what, layout, file the problem names (relative), line, message]
  const cases: [string, RepoLayout, string, number | undefined, RegExp][] = [
    ['a TensorRT plan without config.pbtxt', { 'm/1/model.plan': 'engine' }, 'm/1/model.plan', undefined,
      /no config.pbtxt in .*m\/; Triton would fill in its inputs and outputs only by loading it with TensorRT on the GPU it serves on, which this action cannot do before deploying; add .*m\/config.pbtxt/],
    ['a SavedModel without config.pbtxt', { 'm/1/model.savedmodel/saved_model.pb': 'pb' }, 'm/1/model.savedmodel', undefined, /only by loading it with TensorFlow/],
    ['a TorchScript model without config.pbtxt', { 'm/1/model.pt': 'pt' }, 'm/1/model.pt', undefined, /Triton needs a config.pbtxt for pytorch_libtorch models/],
    ['a model file without version folder', { 'm/model.onnx': detectNet }, 'm/', undefined, /has no config.pbtxt and no version folder; Triton needs m\/1\/model.onnx/],
    ['two model files in one version', { 'm/1/model.onnx': detectNet, 'm/1/model.plan': 'engine' }, 'm/1/', undefined, /holds model.plan and model.onnx; without config.pbtxt Triton picks the backend from the file name/],
    ['versions of different kinds', { 'm/1/model.plan': 'engine', 'm/2/model.onnx': detectNet }, 'm/', undefined, /versions hold different kinds of model \(1\/model.plan, 2\/model.onnx\)/],
    ['a version folder without a model file', { 'm/1/model.onnx': detectNet, 'm/2/weights.bin': 'w' }, 'm/2/', undefined, /holds no model file Triton recognises .*; found: weights.bin/],
    ['a model.onnx that is not ONNX', { 'm/1/model.onnx': 'hello, not protobuf' }, 'm/1/model.onnx', undefined, /not a valid ONNX model file/],
    ['a declared input the graph does not have', { 'det/config.pbtxt': detectNetConfig.replace('name: "input_1"', 'name: "image"'), 'det/1/model.onnx': detectNet },
      'det/config.pbtxt', 6, /input "image" is not an input of the model; its inputs are: "input_1" \(model .*det\/1\/model.onnx\); Triton refuses to load it/],
    ['a declared data type the graph contradicts', { 'det/config.pbtxt': detectNetConfig.replace(/(output_cov\/Sigmoid"\n\s+data_type: )TYPE_FP32/, '$1TYPE_FP16'), 'det/1/model.onnx': detectNet },
      'det/config.pbtxt', 19, /output "output_cov\/Sigmoid" has data_type TYPE_FP16, but the model's is TYPE_FP32/],
    ['declared output dims the graph contradicts', { 'det/config.pbtxt': detectNetConfig.replace('[ 8, 2, 4 ]', '[ 8, 4, 2 ]'), 'det/1/model.onnx': detectNet },
      'det/config.pbtxt', 14, /output "output_bbox\/BiasAdd": the configuration gives the shape \[-1, 8, 4, 2\] \(a batch dimension, since max_batch_size > 0, then dims \[8, 4, 2\]\), but the model's shape is \[-1, 8, 2, 4\]/],
    ['fewer declared inputs than the graph has', {
      'add/config.pbtxt': 'platform: "onnxruntime_onnx"\ninput { name: "a" data_type: TYPE_FP32 dims: [ 4 ] }\noutput { name: "sum" data_type: TYPE_FP32 dims: [ 4 ] }\n',
      'add/1/model.onnx': adder([4], [4], [4]),
    }, 'add/config.pbtxt', 1, /declares 1 input\(s\), but the model has 2 \(a, b\)/],
    ['max_batch_size for a model without a batch dimension, inputs left to Triton', { 'gen/config.pbtxt': 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\n', 'gen/1/model.onnx': generic },
      'gen/config.pbtxt', 2, /max_batch_size is 8, but the model does not support batching .*; set max_batch_size: 0/],
    ['max_batch_size for a model without a batch dimension, inputs declared', {
      'add/config.pbtxt': 'platform: "onnxruntime_onnx"\nmax_batch_size: 4\ninput [ { name: "a" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "b" data_type: TYPE_FP32 dims: [ 4 ] } ]\noutput { name: "sum" data_type: TYPE_FP32 dims: [ 4 ] }\n',
      'add/1/model.onnx': adder([4], [4], [4]),
    }, 'add/config.pbtxt', 2, /max_batch_size is 4, but the model's "a" \[4\], "b" \[4\], "sum" \[4\] have no variable first \(batch\) dimension; set max_batch_size: 0/],
    ['a TensorRT config that leaves inputs to Triton', { 'm/config.pbtxt': 'platform: "tensorrt_plan"\nmax_batch_size: 1\noutput { name: "o" data_type: TYPE_FP32 dims: [ 1 ] }\n', 'm/1/model.plan': 'engine' },
      'm/config.pbtxt', 1, /declares no input; .*\(only ONNX models may leave inputs and outputs to Triton's auto-complete\)/],
  ];

  it.each(cases)('%s', async (_what, layout, file, line, message) => {
    const { root, problems } = await problemsOf(layout);
    expect(problems.map((p) => p.message)).toHaveLength(1);
    const [p] = problems;
    expect(p.message).toMatch(message);
    expect(p.where.file).toBe(path.join(root, file));
    expect(p.where.line).toBe(line);
  });
});
