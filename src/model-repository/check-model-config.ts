// Checks one parsed config.pbtxt on its own (no file system): schema, name, platform/backend,
// batch size, inputs and outputs. What needs the folder's files is in check-model-folder.ts.

import { UserInputError } from '../errors';
import { checkFields, problemAt } from '../protobuf-text/check-fields';
import { closestName } from '../closest-name';
import {
  TextProtoField, TextProtoMessage, fieldsNamed, isTextProtoEnum, isTextProtoMessage,
} from '../protobuf-text/parse-text-proto';
import { MODEL_CONFIG_SCHEMA } from './model-config-schema';
import { KNOWN_BACKENDS, KNOWN_PLATFORMS, ModelKind, modelKindsFor } from './model-platforms';
import { TensorSpec } from './triton-model';

type Position = { line: number; column: number };

/** What check-model-folder.ts needs to know about a config, with where each fact was written. */
export interface ConfigFacts {
  platform?: string;
  backend?: string;
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** where each tensor is declared, by `input:<name>` / `output:<name>` */
  tensorAt: Map<string, Position>;
  /** where max_batch_size is written (the file's start when it is not) */
  maxBatchSizeAt: Position;
  /** Triton's onnxruntime backend expects as many inputs as declared, unless optional inputs, batch_input or sequence_batching change the count */
  fixedInputCount: boolean;
  /** possible kinds (two for backend 'tensorflow' without platform); empty when unknown */
  kinds: ModelKind[];
  /** where the model file's name comes from: default_model_filename, else platform, else backend */
  modelFileField: Position;
  defaultModelFilename?: string;
  labelFiles: { name: string; at: Position }[];
  specificVersions: { version: number; at: Position }[];
}

const FILE_START: Position = { line: 1, column: 1 };

const first = (msg: TextProtoMessage, name: string): TextProtoField | undefined => fieldsNamed(msg, name)[0];

function stringOf(msg: TextProtoMessage, name: string): string | undefined {
  const v = first(msg, name)?.value;
  return typeof v === 'string' ? v : undefined;
}

function enumOf(msg: TextProtoMessage, name: string): string | undefined {
  const v = first(msg, name)?.value;
  return v !== undefined && isTextProtoEnum(v) ? v.enum : undefined;
}

/** Is this a plain file name Triton will look up inside the model's own folder? */
function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);
}

export function checkModelConfig(
  config: TextProtoMessage,
  folderName: string,
  file: string,
): { facts: ConfigFacts; problems: UserInputError[]; warnings: string[] } {
  const problems = checkFields(config, MODEL_CONFIG_SCHEMA, file, 'ModelConfig');
  const warnings: string[] = [];
  const report = (at: Position, message: string): void => {
    problems.push(problemAt(file, at, message));
  };

  const nameField = first(config, 'name');
  if (typeof nameField?.value === 'string' && nameField.value !== folderName) {
    report(nameField, `name "${nameField.value}" differs from the model folder '${folderName}'; Triton requires them equal (or leave 'name' out)`);
  }

  const platform = stringOf(config, 'platform');
  const backend = stringOf(config, 'backend');
  const kinds = modelKindsFor(platform, backend);
  const platformField = first(config, 'platform');
  const backendField = first(config, 'backend');
  if (!platform && !backend) {
    report(FILE_START, `sets neither 'platform' nor 'backend'; expected e.g. platform: "onnxruntime_onnx" or backend: "onnxruntime"`);
  } else if (platform && kinds.length === 0) {
    const hint = closestName(platform, KNOWN_PLATFORMS);
    report(platformField ?? FILE_START, `unknown platform "${platform}"; expected one of ${KNOWN_PLATFORMS.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  } else if (platform && backend && kinds[0].backend !== backend) {
    const expected = kinds[0].backend ? `backend "${kinds[0].backend}" (or no backend)` : 'no backend';
    report(backendField ?? FILE_START, `backend "${backend}" does not match platform "${platform}" (line ${platformField?.line}); expected ${expected}`);
  } else if (!platform && backend && kinds.length === 0) {
    const hint = closestName(backend, KNOWN_BACKENDS);
    warnings.push(`${file}: backend "${backend}" is not one of ${KNOWN_BACKENDS.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}; its model files are not checked`);
  }

  const batchField = first(config, 'max_batch_size');
  const maxBatchSize = typeof batchField?.value === 'number' ? batchField.value : 0;
  if (batchField && maxBatchSize < 0) {
    report(batchField, `max_batch_size is ${maxBatchSize}; expected 0 (no batching) or a positive batch size`);
  }

  // Triton's onnxruntime backend fills in missing inputs or outputs from the model (onnx-auto-complete.ts).
  const onnx = kinds.length > 0 && kinds.every((k) => k.backend === 'onnxruntime');
  const tensorAt = new Map<string, Position>();
  const inputs = checkTensors(config, 'input', file, problems, tensorAt, onnx);
  const outputs = checkTensors(config, 'output', file, problems, tensorAt, onnx);

  const defaultField = first(config, 'default_model_filename');
  const defaultModelFilename = stringOf(config, 'default_model_filename');
  if (defaultField && defaultModelFilename !== undefined && !isPlainFileName(defaultModelFilename)) {
    report(defaultField, `default_model_filename "${defaultModelFilename}" must be a file name inside the version folder, without '/' or '..'`);
  }

  const labelFiles: ConfigFacts['labelFiles'] = [];
  for (const out of fieldsNamed(config, 'output')) {
    if (!isTextProtoMessage(out.value)) continue;
    const label = first(out.value, 'label_filename');
    if (typeof label?.value !== 'string') continue;
    if (isPlainFileName(label.value)) labelFiles.push({ name: label.value, at: label });
    else report(label, `label_filename "${label.value}" must be a file name in the model folder, without '/' or '..'`);
  }

  return {
    facts: {
      platform,
      backend: backend ?? (kinds.length === 1 ? kinds[0].backend : backend),
      maxBatchSize,
      inputs,
      outputs,
      tensorAt,
      maxBatchSizeAt: batchField ?? FILE_START,
      fixedInputCount: !first(config, 'batch_input') && !first(config, 'sequence_batching') &&
        !fieldsNamed(config, 'input').some((f) => isTextProtoMessage(f.value) && first(f.value, 'optional')?.value === true),
      kinds,
      modelFileField: defaultField ?? platformField ?? backendField ?? FILE_START,
      defaultModelFilename: defaultModelFilename && isPlainFileName(defaultModelFilename) ? defaultModelFilename : undefined,
      labelFiles,
      specificVersions: specificVersions(config),
    },
    problems,
    warnings,
  };
}

function checkTensors(
  config: TextProtoMessage,
  kind: 'input' | 'output',
  file: string,
  problems: UserInputError[],
  tensorAt: Map<string, Position>,
  autoCompletes: boolean,
): TensorSpec[] {
  const report = (at: Position, message: string): void => {
    problems.push(problemAt(file, at, message));
  };
  const entries = fieldsNamed(config, kind).filter((f) => isTextProtoMessage(f.value));
  if (entries.length === 0 && !autoCompletes) {
    // Triton's TensorRT and TensorFlow backends could fill these in, but only by loading the engine or
    // SavedModel with the framework (a TensorRT plan only on the GPU it runs on); this action checks the
    // repository before anything is deployed and cannot read those files, so it asks for them (docs/adr/014-triton-auto-complete.md).
    report(FILE_START, `declares no ${kind}; expected ${kind} [ { name: "..." data_type: TYPE_FP32 dims: [ ... ] } ] (only ONNX models may leave inputs and outputs to Triton's auto-complete)`);
  }
  const specs: TensorSpec[] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const msg = entry.value as TextProtoMessage;
    const name = stringOf(msg, 'name') ?? '';
    const label = name ? `${kind} "${name}"` : `${kind} at line ${msg.line}`;
    if (!name) report(msg, `${kind} has no name; expected name: "<tensor name>"`);
    else if (seen.has(name)) report(first(msg, 'name') as TextProtoField, `${label} is declared twice (first at line ${seen.get(name)})`);
    else seen.set(name, (first(msg, 'name') as TextProtoField).line);

    const dataType = enumOf(msg, 'data_type');
    if (!first(msg, 'data_type')) report(msg, `${label} has no data_type; expected e.g. data_type: TYPE_FP32`);
    else if (dataType === 'TYPE_INVALID') report(first(msg, 'data_type') as TextProtoField, `${label} has data_type TYPE_INVALID; expected a real type such as TYPE_FP32`);

    const dimFields = fieldsNamed(msg, 'dims');
    if (dimFields.length === 0) report(msg, `${label} has no dims; expected its shape without the batch dimension, e.g. dims: [ 3, 224, 224 ]`);
    checkDims(dimFields, `${label} dims`, report);
    const reshape = first(msg, 'reshape');
    if (reshape && isTextProtoMessage(reshape.value)) checkDims(fieldsNamed(reshape.value, 'shape'), `${label} reshape`, report);

    const format = enumOf(msg, 'format');
    if ((format === 'FORMAT_NCHW' || format === 'FORMAT_NHWC') && dimFields.length !== 3) {
      report(first(msg, 'format') as TextProtoField, `${label} has format ${format}, which needs 3 dims (without the batch dimension); found ${dimFields.length}`);
    }
    const dims = dimFields.map((d) => d.value).filter((v): v is number => typeof v === 'number');
    const reshapeDims = reshape && isTextProtoMessage(reshape.value)
      ? fieldsNamed(reshape.value, 'shape').map((d) => d.value).filter((v): v is number => typeof v === 'number')
      : undefined;
    if (name && !tensorAt.has(`${kind}:${name}`)) tensorAt.set(`${kind}:${name}`, first(msg, 'name') as TextProtoField);
    specs.push({ name, dataType: dataType ?? 'TYPE_INVALID', dims, ...(format ? { format } : {}), ...(reshapeDims ? { reshape: reshapeDims } : {}) });
  }
  return specs;
}

function checkDims(dims: TextProtoField[], label: string, report: (at: Position, message: string) => void): void {
  for (const d of dims) {
    if (typeof d.value === 'number' && Number.isInteger(d.value) && d.value <= 0 && d.value !== -1) {
      report(d, `${label} has ${d.value}; each dimension must be positive, or -1 for a variable size`);
    }
  }
}

function specificVersions(config: TextProtoMessage): ConfigFacts['specificVersions'] {
  const policy = first(config, 'version_policy')?.value;
  if (!policy || !isTextProtoMessage(policy)) return [];
  const specific = first(policy, 'specific')?.value;
  if (!specific || !isTextProtoMessage(specific)) return [];
  return fieldsNamed(specific, 'versions').flatMap((f) => (typeof f.value === 'number' ? [{ version: f.value, at: f }] : []));
}
