import { modelConfigToJson } from '../../../src/model-repository/model-config-json';
import { parseTextProto } from '../../../src/protobuf-text/parse-text-proto';
import { DETECTNET_CONFIG } from './repository-fixture';

describe('modelConfigToJson', () => {
  it('renders the DetectNet config as Triton returns it: proto field names, enum names, numeric dims, defaults', () => {
    const json = modelConfigToJson(parseTextProto(DETECTNET_CONFIG, 'config.pbtxt'));
    expect(json).toMatchObject({
      name: 'detectnet_tao',
      platform: 'tensorrt_plan',
      backend: 'tensorrt',
      max_batch_size: 16,
      version_policy: { latest: { num_versions: 1 } },
      input: [{
        name: 'input_1', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 384, 1248],
        is_shape_tensor: false, allow_ragged_batch: false, optional: false,
      }],
      output: [
        { name: 'output_bbox/BiasAdd', data_type: 'TYPE_FP32', dims: [12, 24, 78], label_filename: '', is_shape_tensor: false },
        { name: 'output_cov/Sigmoid', data_type: 'TYPE_FP32', dims: [3, 24, 78] },
      ],
      dynamic_batching: { preferred_batch_size: [], max_queue_delay_microseconds: 0, preserve_ordering: false },
      batch_input: [],
      instance_group: [],
      parameters: {},
      default_model_filename: '',
    });
    expect(json).not.toHaveProperty('sequence_batching');
    expect(json).not.toHaveProperty('optimization');
    expect((json.input as Record<string, unknown>[])[0]).not.toHaveProperty('reshape');
  });

  it('renders maps as objects, bool spellings as booleans, numeric enums as names and unmodelled messages as given', () => {
    const text = `
      platform: "onnxruntime_onnx"
      backend: "onnxruntime"
      input [{ name: "i" data_type: 11 dims: -1 reshape { shape: [1, -1] } }]
      output { name: "o" data_type: TYPE_FP32 dims: [4] is_shape_tensor: t }
      parameters { key: "mode" value: { string_value: "fast" } }
      parameters { key: "x" value: { } }
      instance_group [{ kind: KIND_CPU count: 2 }]
      sequence_batching { max_sequence_idle_microseconds: 5 control_input { name: "a" } control_input { name: "b" } }
      version_policy { all { } }`;
    const json = modelConfigToJson(parseTextProto(text, 'config.pbtxt'));
    expect(json.backend).toBe('onnxruntime');
    expect(json.input).toEqual([expect.objectContaining({ data_type: 'TYPE_FP32', dims: [-1], reshape: { shape: [1, -1] } })]);
    expect(json.output).toEqual([expect.objectContaining({ is_shape_tensor: true })]);
    expect(json.parameters).toEqual({ mode: { string_value: 'fast' }, x: { string_value: '' } });
    expect(json.instance_group).toEqual([expect.objectContaining({ kind: 'KIND_CPU', count: 2, gpus: [], name: '' })]);
    expect(json.sequence_batching).toEqual({ max_sequence_idle_microseconds: 5, control_input: [{ name: 'a' }, { name: 'b' }] });
    expect(json.version_policy).toEqual({ all: {} });
    expect(json).not.toHaveProperty('dynamic_batching');
  });
});
