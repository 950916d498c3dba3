// The subset of Triton's ModelConfig (../shared/reference/triton/model_config.proto) that we
// check field by field. Messages given without `message` accept any content: Triton itself
// validates those when it loads the model.

import { FieldSchema, MessageSchema } from '../protobuf-text/check-fields';

export const DATA_TYPES = [
  'TYPE_INVALID', 'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_INT8',
  'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16',
];
export const INPUT_FORMATS = ['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW'];
const INSTANCE_KINDS = ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL'];

const str: FieldSchema = { type: 'string' };
const int: FieldSchema = { type: 'int' };
const uint: FieldSchema = { type: 'int', unsigned: true };
const bool: FieldSchema = { type: 'bool' };
const anyMessage: FieldSchema = { type: 'message' };
const dataType: FieldSchema = { type: 'enum', enumValues: DATA_TYPES };
const ints: FieldSchema = { type: 'int', repeated: true };
const strings: FieldSchema = { type: 'string', repeated: true };
const stringMap: FieldSchema = { type: 'message', map: { key: 'string', value: str } };
const reshape: FieldSchema = { type: 'message', message: { shape: ints } };

const input: MessageSchema = {
  name: str, data_type: dataType, format: { type: 'enum', enumValues: INPUT_FORMATS }, dims: ints, reshape,
  is_shape_tensor: bool, allow_ragged_batch: bool, optional: bool, is_non_linear_format_io: bool,
};
const output: MessageSchema = {
  name: str, data_type: dataType, dims: ints, reshape, label_filename: str, is_shape_tensor: bool,
  is_non_linear_format_io: bool,
};
const instanceGroup: MessageSchema = {
  name: str, kind: { type: 'enum', enumValues: INSTANCE_KINDS }, count: int, rate_limiter: anyMessage,
  gpus: ints, secondary_devices: { type: 'message', repeated: true }, profile: strings, passive: bool, host_policy: str,
};
const versionPolicy: MessageSchema = {
  latest: { type: 'message', oneof: 'policy_choice', message: { num_versions: uint } },
  all: { type: 'message', oneof: 'policy_choice', message: {} },
  specific: { type: 'message', oneof: 'policy_choice', message: { versions: ints } },
};
const queuePolicy: FieldSchema = {
  type: 'message',
  message: {
    timeout_action: { type: 'enum', enumValues: ['REJECT', 'DELAY'] }, default_timeout_microseconds: uint,
    allow_timeout_override: bool, max_queue_size: uint,
  },
};
const dynamicBatching: MessageSchema = {
  preferred_batch_size: ints, max_queue_delay_microseconds: uint, preserve_ordering: bool, priority_levels: uint,
  default_priority_level: uint, default_queue_policy: queuePolicy,
  priority_queue_policy: { type: 'message', map: { key: 'int', value: queuePolicy } },
};
const ensembleScheduling: MessageSchema = {
  step: {
    type: 'message', repeated: true,
    message: { model_name: str, model_version: int, input_map: stringMap, output_map: stringMap, model_namespace: str },
  },
  max_inflight_responses: uint,
};
const optimization: MessageSchema = {
  graph: { type: 'message', message: { level: int } },
  priority: { type: 'enum', enumValues: ['PRIORITY_DEFAULT', 'PRIORITY_MAX', 'PRIORITY_MIN'] },
  cuda: anyMessage, execution_accelerators: anyMessage,
  input_pinned_memory: { type: 'message', message: { enable: bool } },
  output_pinned_memory: { type: 'message', message: { enable: bool } },
  gather_kernel_buffer_threshold: uint, eager_batching: bool,
};
const warmup: MessageSchema = {
  name: str, batch_size: uint, count: uint,
  inputs: {
    type: 'message',
    map: {
      key: 'string',
      value: {
        type: 'message',
        message: {
          data_type: dataType, dims: ints, zero_data: { ...bool, oneof: 'input_data_type' },
          random_data: { ...bool, oneof: 'input_data_type' }, input_data_file: { ...str, oneof: 'input_data_type' },
        },
      },
    },
  },
};

export const MODEL_CONFIG_SCHEMA: MessageSchema = {
  name: str, platform: str, backend: str, runtime: str,
  version_policy: { type: 'message', message: versionPolicy },
  max_batch_size: int,
  input: { type: 'message', repeated: true, message: input },
  output: { type: 'message', repeated: true, message: output },
  batch_input: { type: 'message', repeated: true }, batch_output: { type: 'message', repeated: true },
  optimization: { type: 'message', message: optimization },
  dynamic_batching: { type: 'message', oneof: 'scheduling_choice', message: dynamicBatching },
  sequence_batching: { type: 'message', oneof: 'scheduling_choice' },
  ensemble_scheduling: { type: 'message', oneof: 'scheduling_choice', message: ensembleScheduling },
  instance_group: { type: 'message', repeated: true, message: instanceGroup },
  default_model_filename: str,
  cc_model_filenames: stringMap, metric_tags: stringMap,
  parameters: { type: 'message', map: { key: 'string', value: { type: 'message', message: { string_value: str } } } },
  model_warmup: { type: 'message', repeated: true, message: warmup },
  model_operations: anyMessage, model_transaction_policy: anyMessage, model_repository_agents: anyMessage,
  response_cache: { type: 'message', message: { enable: bool } }, model_metrics: anyMessage,
};
