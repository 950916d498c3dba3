// The parts of a config.pbtxt (Triton ModelConfig, ../shared/reference/triton/model_config.proto)
// the test bed's server needs, and the configuration JSON Triton returns for GET .../config.
import {
  TextProtoMessage,
  TextProtoValue,
  fieldsNamed,
  isTextProtoEnum,
  isTextProtoMessage,
  parseTextProto,
} from '../../src/protobuf-text/parse-text-proto';
import { modelConfigToJson } from '../../src/model-repository/model-config-json';
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
  message: TextProtoMessage;
}

/** Parses config.pbtxt; throws UserInputError (file:line:col) on syntax errors, Error on bad tensor types. */
export function parseTritonModelConfig(text: string, file: string): TritonModelConfig {
  const message = parseTextProto(text, file);
  return {
    name: stringField(message, 'name'),
    platform: stringField(message, 'platform'),
    backend: stringField(message, 'backend'),
    maxBatchSize: numberField(message, 'max_batch_size') ?? 0,
    defaultModelFilename: stringField(message, 'default_model_filename'),
    inputs: fieldsNamed(message, 'input').map((f) => tensorConfig(f.value, file)),
    outputs: fieldsNamed(message, 'output').map((f) => tensorConfig(f.value, file)),
    message,
  };
}

function tensorConfig(value: TextProtoValue, file: string): TritonTensorConfig {
  if (!isTextProtoMessage(value)) throw new Error(`${file}: input/output must be a message`);
  const name = stringField(value, 'name') ?? '';
  const typeField = fieldsNamed(value, 'data_type')[0]?.value;
  const typeName = typeField !== undefined && isTextProtoEnum(typeField) ? typeField.enum : String(typeField);
  const datatype = wireDatatypeOfConfigType(typeName);
  if (!datatype) throw new Error(`${file}:${value.line}: tensor '${name}' has unsupported data_type ${typeName}`);
  const format = fieldsNamed(value, 'format')[0]?.value;
  return {
    name,
    datatype,
    dims: fieldsNamed(value, 'dims').map((f) => Number(f.value)),
    format: format !== undefined && isTextProtoEnum(format) ? format.enum : undefined,
  };
}

function stringField(msg: TextProtoMessage, name: string): string | undefined {
  const v = fieldsNamed(msg, name)[0]?.value;
  return typeof v === 'string' ? v : undefined;
}

function numberField(msg: TextProtoMessage, name: string): number | undefined {
  const v = fieldsNamed(msg, name)[0]?.value;
  return typeof v === 'number' ? v : undefined;
}

/**
 * The model-configuration extension's JSON (src/model-repository's rendering of model_config.proto),
 * with the fields Triton completes itself (name, platform, backend) as this server resolved them.
 */
export function modelConfigJson(config: TritonModelConfig, name: string, platform: string, backend: string): Record<string, unknown> {
  return { ...modelConfigToJson(config.message), name, platform, backend };
}
