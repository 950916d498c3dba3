import * as fs from 'fs';
import * as path from 'path';
import { TextProtoMessage, parseTextProto } from '../../../src/protobuf-text/parse-text-proto';
import { renderConfigPbtxt } from '../../../src/source/custom-vision/triton-repository-writer';
import {
  configPbtxtForCustomVisionCompact, configPbtxtForCustomVisionS1, configPbtxtForDetectNetV2, configPbtxtForGenericDetector,
} from '../../../testbed/onnx-models/triton-repository';
import { DETECTNET_CONFIG, FIXTURES } from '../model-repository/repository-fixture';
import { ADDER_CONFIG } from './adder-model-repository';
import { configDifferences } from './model-config-cross-check';

function vendoredConfigs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name === 'config.pbtxt')
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

const UNIT_TEST_CONFIG = `
  platform: "onnxruntime_onnx"
  backend: "onnxruntime"
  input [{ name: "i" data_type: 11 dims: -1 reshape { shape: [1, -1] } }]
  output { name: "o" data_type: TYPE_FP32 dims: [4] is_shape_tensor: t }
  parameters { key: "mode" value: { string_value: "fast" } }
  parameters { key: "x" value: { } }
  instance_group [{ kind: KIND_CPU count: 2 }]
  version_policy { all { } }`;

const CONFIGS: Record<string, string> = {
  ...Object.fromEntries(vendoredConfigs(FIXTURES).map((f) => [path.relative(FIXTURES, f), fs.readFileSync(f, 'utf8')])),
  'repository-fixture DETECTNET_CONFIG': DETECTNET_CONFIG,
  'adder model': ADDER_CONFIG,
  'DetectNet_v2 generator': configPbtxtForDetectNetV2({ modelName: 'm', height: 384, width: 1248, classes: 3 }),
  'DetectNet_v2 generator, input_1:0': configPbtxtForDetectNetV2({ modelName: 'm', height: 544, width: 960, classes: 4, inputName: 'input_1:0' }),
  'Custom Vision S1 generator': configPbtxtForCustomVisionS1({ modelName: 'cv' }),
  'Custom Vision compact generator': configPbtxtForCustomVisionCompact({ modelName: 'cvc', classes: 2 }),
  'generic detector generator': configPbtxtForGenericDetector({ modelName: 'g', height: 320, width: 320 }),
  'Custom Vision export writer (src)': renderConfigPbtxt('cv_model', {
    inputs: [{ name: 'image_tensor', elemType: 1, dims: [1, 3, 320, 320] }],
    outputs: [
      { name: 'detected_boxes', elemType: 1, dims: [1, -1, 4] },
      { name: 'detected_classes', elemType: 7, dims: [1, -1] },
      { name: 'detected_scores', elemType: 1, dims: [1, -1] },
    ],
  }),
  'model-config-json unit test': UNIT_TEST_CONFIG,
};

describe('the Triton config referee (protobufjs + model_config.proto) and the action parser', () => {
  it('covers the vendored real configs', () => {
    expect(Object.keys(CONFIGS).filter((k) => k.endsWith('config.pbtxt')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(Object.keys(CONFIGS))('read %s the same way', (name) => {
    expect(configDifferences(CONFIGS[name], name)).toEqual([]);
  });

  it('catches a parser that drops the last element of a list', () => {
    const dropsLastListElement = (text: string, file: string): TextProtoMessage => {
      const message = parseTextProto(text, file);
      const trim = (m: TextProtoMessage): void => {
        const dims = m.fields.filter((f) => f.name === 'dims');
        if (dims.length > 1) m.fields.splice(m.fields.indexOf(dims[dims.length - 1]), 1);
        for (const f of m.fields) if (typeof f.value === 'object' && 'fields' in f.value) trim(f.value);
      };
      trim(message);
      return message;
    };
    expect(configDifferences(DETECTNET_CONFIG, 'config.pbtxt', dropsLastListElement)).toEqual([
      'input[0].dims: [3,384] vs [3,384,1248]',
      'output[0].dims: [12,24] vs [12,24,78]',
      'output[1].dims: [3,24] vs [3,24,78]',
    ]);
  });

  it('catches a parser that reads a negative number as positive', () => {
    const dropsMinus = (text: string, file: string): TextProtoMessage => parseTextProto(text.replace(/-(\d)/g, '$1'), file);
    const differences = configDifferences(configPbtxtForCustomVisionS1({ modelName: 'cv' }), 'config.pbtxt', dropsMinus);
    expect(differences).toContain('output[0].dims[1]: 1 vs -1');
  });
});
