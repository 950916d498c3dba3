import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  configPbtxtForCustomVisionCompact,
  configPbtxtForCustomVisionS1,
  configPbtxtForDetectNetV2,
  configPbtxtForGenericDetector,
  writeTritonRepository,
} from '../../../testbed/onnx-models/onnx-models';

describe('Triton configs for the test models', () => {
  it('gives DetectNet_v2 a batched config whose dims exclude the batch dim, like the TAO sample', () => {
    const text = configPbtxtForDetectNetV2({ modelName: 'detectnet_tao', height: 384, width: 1248, classes: 3 });
    expect(text).toContain('platform: "onnxruntime_onnx"');
    expect(text).toContain('max_batch_size: 16');
    expect(text).toMatch(/name: "input_1"\n\s+data_type: TYPE_FP32\n\s+format: FORMAT_NCHW\n\s+dims: \[ 3, 384, 1248 \]/);
    expect(text).toMatch(/name: "output_bbox\/BiasAdd"\n\s+data_type: TYPE_FP32\n\s+dims: \[ 12, 24, 78 \]/);
    expect(text).toMatch(/name: "output_cov\/Sigmoid"\n\s+data_type: TYPE_FP32\n\s+dims: \[ 3, 24, 78 \]/);
    expect(text).toContain('dynamic_batching { }');
  });

  it("uses ':0' tensor names when asked", () => {
    const text = configPbtxtForDetectNetV2({ modelName: 'm', height: 544, width: 960, classes: 4, inputName: 'input_1:0' });
    expect(text).toContain('"input_1:0"');
    expect(text).toContain('"output_cov/Sigmoid:0"');
    expect(text).toContain('dims: [ 16, 34, 60 ]');
  });

  it('gives the fixed-batch exports max_batch_size 0 and full shapes', () => {
    const s1 = configPbtxtForCustomVisionS1({ modelName: 'cv' });
    expect(s1).toContain('max_batch_size: 0');
    expect(s1).toContain('dims: [ 1, 3, 320, 320 ]');
    expect(s1).toMatch(/name: "detected_classes"\n\s+data_type: TYPE_INT64\n\s+dims: \[ 1, -1 \]/);
    const compact = configPbtxtForCustomVisionCompact({ modelName: 'cvc', classes: 2 });
    expect(compact).toContain('name: "data"');
    expect(compact).toContain('dims: [ 1, 35, 13, 13 ]');
    const generic = configPbtxtForGenericDetector({ modelName: 'g', height: 240, width: 320 });
    expect(generic).toContain('dims: [ 1, 3, 240, 320 ]');
    expect(generic).toContain('name: "labels"');
  });

  it('writes config.pbtxt and 1/model.onnx under the model name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-models-'));
    try {
      const written = writeTritonRepository(dir, { modelName: 'm', model: Uint8Array.of(1, 2, 3), configPbtxt: 'name: "m"\n' });
      expect(fs.readFileSync(path.join(dir, 'm', 'config.pbtxt'), 'utf8')).toBe('name: "m"\n');
      expect(Array.from(fs.readFileSync(path.join(dir, 'm', '1', 'model.onnx')))).toEqual([1, 2, 3]);
      expect(written.modelPath).toBe(path.join(dir, 'm', '1', 'model.onnx'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
