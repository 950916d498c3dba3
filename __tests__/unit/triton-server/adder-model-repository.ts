// A tiny real ONNX model repository for the server/client tests: 'adder' adds 0.5, 1.5, ... to a
// [batch, 2, 3] FP32 input ("y") and casts the input to INT64 ("as_int"); 'trt_detector' is a
// TensorRT plan the CPU-only server must list as UNAVAILABLE.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GraphBuilder } from '../../../testbed/onnx-models/graph-builder';
import { DataType } from '../../../testbed/onnx-models/onnx-proto';

export const ADDER_OFFSETS = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];

export const ADDER_CONFIG = `name: "adder"
backend: "onnxruntime"
max_batch_size: 4
input [ { name: "x" data_type: TYPE_FP32 dims: [ 2, 3 ] } ]
output [
  { name: "y" data_type: TYPE_FP32 dims: [ 2, 3 ] },
  { name: "as_int" data_type: TYPE_INT64 dims: [ 2, 3 ] }
]
parameters { key: "note" value { string_value: "test" } }
`;

const TRT_CONFIG = `name: "trt_detector"
platform: "tensorrt_plan"
max_batch_size: 16
input [ { name: "input_1" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3, 384, 1248 ] } ]
output [ { name: "output_cov/Sigmoid" data_type: TYPE_FP32 dims: [ 3, 24, 78 ] } ]
`;

export function adderModel(): Uint8Array {
  const g = new GraphBuilder();
  g.op('Add', ['x', g.floats(ADDER_OFFSETS, [2, 3], 'offsets')], {}, 'y');
  g.op('Cast', ['x'], { to: DataType.INT64 }, 'as_int');
  return g.build({
    graphName: 'adder',
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 2, 3] }],
    outputs: [
      { name: 'y', elemType: DataType.FLOAT, shape: ['batch', 2, 3] },
      { name: 'as_int', elemType: DataType.INT64, shape: ['batch', 2, 3] },
    ],
  });
}

/** A fresh temp repository; `withTensorRt` adds the unloadable TensorRT model. Old versions prove "highest wins". */
export function writeAdderRepository(opts: { withTensorRt?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triton-repo-'));
  const put = (rel: string, content: string | Uint8Array): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  put('adder/config.pbtxt', ADDER_CONFIG);
  put('adder/3/model.onnx', adderModel());
  put('adder/2/model.onnx', 'not an onnx file: version 2 must not be loaded');
  if (opts.withTensorRt) {
    put('trt_detector/config.pbtxt', TRT_CONFIG);
    put('trt_detector/1/model.plan', 'engine bytes');
  }
  put('not_a_model/readme.txt', 'no config.pbtxt here');
  return dir;
}
