// What Triton's onnxruntime backend does with a model's configuration when auto-complete is on (the
// default; `--disable-auto-complete-config` turns it off), computed from the ONNX graph:
// https://github.com/triton-inference-server/onnxruntime_backend/blob/main/src/onnxruntime.cc
//   AutoCompleteConfig: skipped when the config lists both inputs and outputs; otherwise
//   AutoCompleteMaxBatch sets max_batch_size to default-max-batch-size (4) when every input and
//   output has a variable first dimension and none is set, and refuses a non-zero one when they do
//   not; AutoCompleteIO fills in the missing side (dims without the batch dimension; an empty
//   shape becomes dims [1], with reshape { shape: [] } when batching).
//   ValidateInputs / ValidateOutputs, on every load: as many config inputs as model inputs, each
//   declared tensor exists with the same data type, and its shape fits (CompareDimsSupported:
//   inputs may fix a variable model dimension, outputs must match exactly).
// Docs: server/docs/user_guide/model_configuration.md "Auto-Generated Model Configuration",
// "Default Max Batch Size and Dynamic Batcher".

import { OnnxSignature, OnnxTensorInfo, TRITON_TYPE_OF_ONNX } from './onnx-model';
import { TensorSpec } from './triton-model';

/** `--backend-config=default-max-batch-size`, 4 unless the server is started otherwise. */
export const TRITON_DEFAULT_MAX_BATCH_SIZE = 4;

export interface DeclaredSignature {
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** false when optional inputs, batch_input or sequence_batching change the count Triton expects */
  fixedInputCount?: boolean;
}

export interface SignatureProblem {
  /** the declared tensor the problem is about, when there is one */
  tensor?: { kind: 'input' | 'output'; name: string };
  /** about max_batch_size */
  batch?: boolean;
  message: string;
}

export interface CompletedSignature extends DeclaredSignature {
  /** what was filled in, e.g. ['max_batch_size 4', 'input', 'output'] */
  filled: string[];
  problems: SignatureProblem[];
}

const shape = (dims: number[]): string => `[${dims.join(', ')}]`;
const typeOf = (t: OnnxTensorInfo): string | undefined => TRITON_TYPE_OF_ONNX[t.elemType];

function specFromGraph(t: OnnxTensorInfo, maxBatchSize: number): TensorSpec {
  const dims = maxBatchSize > 0 ? t.dims.slice(1) : t.dims;
  if (dims.length > 0) return { name: t.name, dataType: typeOf(t) ?? 'TYPE_INVALID', dims };
  return { name: t.name, dataType: typeOf(t) ?? 'TYPE_INVALID', dims: [1], ...(maxBatchSize > 0 ? { reshape: [] } : {}) };
}

/** The configuration Triton ends up with for this ONNX graph, and what it would refuse to load. */
export function completeOnnxSignature(declared: DeclaredSignature, graph: OnnxSignature): CompletedSignature {
  const problems: SignatureProblem[] = [];
  const filled: string[] = [];
  let maxBatchSize = declared.maxBatchSize;
  let { inputs, outputs } = declared;

  for (const t of [...graph.inputs, ...graph.outputs]) {
    if (!typeOf(t)) problems.push({ message: `the model's tensor "${t.name}" has ONNX element type ${t.elemType}, which Triton does not serve` });
  }
  if (inputs.length === 0 || outputs.length === 0) {
    const canBatch = [...graph.inputs, ...graph.outputs].every((t) => t.dims.length > 0 && t.dims[0] === -1);
    if (canBatch && maxBatchSize === 0) {
      maxBatchSize = TRITON_DEFAULT_MAX_BATCH_SIZE;
      filled.push(`max_batch_size ${maxBatchSize}`);
    } else if (!canBatch && maxBatchSize !== 0) {
      problems.push({
        batch: true,
        message: `max_batch_size is ${maxBatchSize}, but the model does not support batching (Triton needs every input and output's first dimension to be variable); set max_batch_size: 0`,
      });
      return { maxBatchSize, inputs, outputs, filled, problems };
    }
    if (inputs.length === 0) {
      inputs = graph.inputs.map((t) => specFromGraph(t, maxBatchSize));
      filled.push('input');
    }
    if (outputs.length === 0) {
      outputs = graph.outputs.map((t) => specFromGraph(t, maxBatchSize));
      filled.push('output');
    }
  }

  // CompareDimsSupported: batching needs a variable first dimension in each declared tensor.
  const declaredNames = new Set([...inputs, ...outputs].map((t) => t.name));
  const unbatched = [...graph.inputs, ...graph.outputs].filter((t) => declaredNames.has(t.name) && t.dims.length > 0 && t.dims[0] !== -1);
  if (maxBatchSize > 0 && unbatched.length > 0) {
    const list = unbatched.map((t) => `"${t.name}" ${shape(t.dims)}`).join(', ');
    problems.push({ batch: true, message: `max_batch_size is ${maxBatchSize}, but the model's ${list} ${unbatched.length > 1 ? 'have' : 'has'} no variable first (batch) dimension; set max_batch_size: 0 and give the full shapes` });
    return { maxBatchSize, inputs, outputs, filled, problems };
  }
  if (declared.fixedInputCount !== false && inputs.length !== graph.inputs.length) {
    problems.push({ message: `declares ${inputs.length} input(s), but the model has ${graph.inputs.length} (${graph.inputs.map((t) => t.name).join(', ')}); Triton refuses to load it` });
  }
  // A request may also feed an overridable initializer (a weight listed as a graph input).
  const requestInputs = [...graph.inputs, ...(graph.overridable ?? [])];
  for (const [kind, declaredTensors, modelTensors] of [['input', inputs, requestInputs], ['output', outputs, graph.outputs]] as const) {
    for (const spec of declaredTensors) {
      const tensor = { kind, name: spec.name };
      const model = modelTensors.find((t) => t.name === spec.name);
      if (!model) {
        problems.push({ tensor, message: `${kind} "${spec.name}" is not an ${kind} of the model; its ${kind}s are: ${modelTensors.map((t) => `"${t.name}"`).join(', ')}` });
        continue;
      }
      const modelType = typeOf(model);
      if (modelType && spec.dataType !== modelType) {
        problems.push({ tensor, message: `${kind} "${spec.name}" has data_type ${spec.dataType}, but the model's is ${modelType}` });
      }
      const mismatch = shapeMismatch(model.dims, spec.reshape ?? spec.dims, maxBatchSize, kind === 'output');
      if (mismatch) problems.push({ tensor, message: `${kind} "${spec.name}": ${mismatch}` });
    }
  }
  return { maxBatchSize, inputs, outputs, fixedInputCount: declared.fixedInputCount, filled, problems };
}

/** Triton's CompareDimsSupported (and its rule for scalar tensors); undefined when the shapes fit. */
function shapeMismatch(model: number[], dims: number[], maxBatchSize: number, exact: boolean): string | undefined {
  if (model.length === 0) {
    return dims.every((d) => d === 1) ? undefined : `the model's tensor is a scalar, so its dims must be [ 1 ]; found ${shape(dims)}`;
  }
  const full = maxBatchSize > 0 ? [-1, ...dims] : dims;
  const fits = full.length === model.length && full.every((d, i) => d === model[i] || (!exact && model[i] === -1));
  if (fits) return undefined;
  const batch = maxBatchSize > 0 ? ` (a batch dimension, since max_batch_size > 0, then dims ${shape(dims)})` : '';
  return `the configuration gives the shape ${shape(full)}${batch}, but the model's shape is ${shape(model)}`;
}
