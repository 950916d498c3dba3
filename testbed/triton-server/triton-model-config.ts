// The parts of a config.pbtxt (Triton ModelConfig, ../shared/reference/triton/model_config.proto)
// the test bed's server needs, and the configuration JSON Triton returns for GET .../config.
// Read with the schema by model-config-proto.ts, never with the action's parser.
import * as protobuf from 'protobufjs';
import { ConfigJson, modelConfigMessageToJson, readModelConfigText } from './model-config-proto';
import { WireDatatype, wireDatatypeOfConfigType } from './triton-datatypes';

export interface TritonTensorConfig {
  name: string;
  datatype: WireDatatype;
  /** Without the batch dimension; -1 is variable. */
  dims: number[];
  format?: string;
}

export interface TritonModelConfig {
  name?: string;
  platform?: string;
  backend?: string;
  maxBatchSize: number;
  defaultModelFilename?: string;
  inputs: TritonTensorConfig[];
  outputs: TritonTensorConfig[];
  /** The parsed file, kept to answer GET /v2/models/{m}/config with everything it holds. */
  message: protobuf.Message;
}

/** Parses config.pbtxt; throws Error naming the file on syntax, schema or tensor-type errors. */
export function parseTritonModelConfig(text: string, file: string): TritonModelConfig {
  const message = readModelConfigText(text, file);
  const json = modelConfigMessageToJson(message);
  const tensors = (key: 'input' | 'output'): TritonTensorConfig[] =>
    ((json[key] as ConfigJson[] | undefined) ?? []).map((t) => tensorConfig(t, file));
  return {
    name: nonEmpty(json.name),
    platform: nonEmpty(json.platform),
    backend: nonEmpty(json.backend),
    maxBatchSize: Number(json.max_batch_size ?? 0),
    defaultModelFilename: nonEmpty(json.default_model_filename),
    inputs: tensors('input'),
    outputs: tensors('output'),
    message,
  };
}

function tensorConfig(tensor: ConfigJson, file: string): TritonTensorConfig {
  const name = String(tensor.name ?? '');
  const typeName = String(tensor.data_type);
  const datatype = wireDatatypeOfConfigType(typeName);
  if (!datatype) throw new Error(`${file}: tensor '${name}' has unsupported data_type ${typeName}`);
  const format = tensor.format === undefined || tensor.format === 'FORMAT_NONE' ? undefined : String(tensor.format);
  return { name, datatype, dims: (tensor.dims as number[]).map(Number), format };
}

/** proto3 strings are '' when unset; Triton completes those itself. */
function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The model-configuration extension's JSON, with the fields Triton completes itself (name,
 * platform, backend, version_policy) as this server resolved them.
 */
export function modelConfigJson(config: TritonModelConfig, name: string, platform: string, backend: string): Record<string, unknown> {
  const json = modelConfigMessageToJson(config.message);
  return { ...json, name, platform, backend, version_policy: json.version_policy ?? { latest: { num_versions: 1 } } };
}
