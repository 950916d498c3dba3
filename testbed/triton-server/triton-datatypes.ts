// Tensor data types as Triton names them in config.pbtxt (TYPE_FP32), on the wire (FP32, see
// https://github.com/kserve/open-inference-protocol "Tensor Data Types") and in onnxruntime.
import type { Tensor as OrtTensor } from 'onnxruntime-node';

export type WireDatatype =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

export type NumericArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

/** BYTES tensors are strings here: onnxruntime only knows UTF-8 string tensors. */
export type ServerTensorData = NumericArray | string[];

export interface ServerTensor {
  name: string;
  datatype: WireDatatype;
  shape: number[];
  data: ServerTensorData;
}

interface NumericArrayConstructor {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
}

interface DatatypeInfo {
  ort: OrtTensor.Type;
  /** undefined for BYTES (variable length). */
  array?: NumericArrayConstructor;
}

const DATATYPES: Record<WireDatatype, DatatypeInfo> = {
  BOOL: { ort: 'bool', array: Uint8Array },
  UINT8: { ort: 'uint8', array: Uint8Array },
  UINT16: { ort: 'uint16', array: Uint16Array },
  UINT32: { ort: 'uint32', array: Uint32Array },
  UINT64: { ort: 'uint64', array: BigUint64Array },
  INT8: { ort: 'int8', array: Int8Array },
  INT16: { ort: 'int16', array: Int16Array },
  INT32: { ort: 'int32', array: Int32Array },
  INT64: { ort: 'int64', array: BigInt64Array },
  FP16: { ort: 'float16', array: Uint16Array },
  FP32: { ort: 'float32', array: Float32Array },
  FP64: { ort: 'float64', array: Float64Array },
  BYTES: { ort: 'string' },
};

export function isWireDatatype(s: string): s is WireDatatype {
  return Object.prototype.hasOwnProperty.call(DATATYPES, s);
}

/** config.pbtxt `TYPE_FP32` -> `FP32`; TYPE_STRING is BYTES on the wire (model_config.proto DataType). */
export function wireDatatypeOfConfigType(configType: string): WireDatatype | undefined {
  const bare = configType.replace(/^TYPE_/, '');
  if (bare === 'STRING') return 'BYTES';
  return isWireDatatype(bare) ? bare : undefined;
}

export function wireDatatypeOfOrtType(ortType: string): WireDatatype | undefined {
  return (Object.keys(DATATYPES) as WireDatatype[]).find((k) => DATATYPES[k].ort === ortType);
}

export function ortTypeOf(datatype: WireDatatype): OrtTensor.Type {
  return DATATYPES[datatype].ort;
}

export function arrayConstructorOf(datatype: WireDatatype): NumericArrayConstructor | undefined {
  return DATATYPES[datatype].array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
