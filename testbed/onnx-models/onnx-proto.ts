/**
 * Encoders for the subset of onnx.proto these test models use. Field numbers are those of
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (checked against the stored copy).
 */
import { ProtobufWriter } from './protobuf-writer';

/** TensorProto.DataType values. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorInit {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'tensor'; value: TensorInit };

export interface NodeInit {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

/** A dimension is a fixed size or a symbolic name (dim_param). */
export type Dim = number | string;

export interface ValueInfoInit {
  name: string;
  elemType: DataTypeCode;
  shape: Dim[];
}

export interface ModelInit {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  graphName: string;
  nodes: NodeInit[];
  initializers: TensorInit[];
  inputs: ValueInfoInit[];
  outputs: ValueInfoInit[];
  metadata?: Record<string, string>;
}

export function encodeTensor(t: TensorInit): Uint8Array {
  const w = new ProtobufWriter();
  for (const d of t.dims) w.varint(1, d); // dims (unpacked, as proto2 declares it)
  w.varint(2, t.dataType); // data_type
  w.string(8, t.name); // name
  w.bytes(9, t.raw); // raw_data
  return w.finish();
}

function encodeAttribute(name: string, a: AttributeValue): Uint8Array {
  const w = new ProtobufWriter().string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value).varint(20, AttributeType.FLOAT);
      break;
    case 'int':
      w.varint(3, a.value).varint(20, AttributeType.INT);
      break;
    case 'string':
      w.string(4, a.value).varint(20, AttributeType.STRING);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value)).varint(20, AttributeType.TENSOR);
      break;
    case 'floats':
      for (const f of a.value) w.float(7, f);
      w.varint(20, AttributeType.FLOATS);
      break;
    case 'ints':
      for (const i of a.value) w.varint(8, i);
      w.varint(20, AttributeType.INTS);
      break;
  }
  return w.finish();
}

function encodeNode(n: NodeInit): Uint8Array {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(name, value));
  return w.finish();
}

function encodeValueInfo(v: ValueInfoInit): Uint8Array {
  const shape = new ProtobufWriter();
  for (const d of v.shape) {
    const dim = new ProtobufWriter();
    if (typeof d === 'number') dim.varint(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim.finish());
  }
  const tensorType = new ProtobufWriter().varint(1, v.elemType).message(2, shape.finish());
  const type = new ProtobufWriter().message(1, tensorType.finish()); // TypeProto.tensor_type
  return new ProtobufWriter().string(1, v.name).message(2, type.finish()).finish();
}

function encodeGraph(m: ModelInit): Uint8Array {
  const w = new ProtobufWriter();
  for (const n of m.nodes) w.message(1, encodeNode(n));
  w.string(2, m.graphName);
  for (const t of m.initializers) w.message(5, encodeTensor(t));
  for (const i of m.inputs) w.message(11, encodeValueInfo(i));
  for (const o of m.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

export function encodeModel(m: ModelInit): Uint8Array {
  const w = new ProtobufWriter().varint(1, m.irVersion).string(2, m.producerName);
  w.message(7, encodeGraph(m));
  w.message(8, new ProtobufWriter().string(1, '').varint(2, m.opsetVersion).finish()); // opset_import
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    w.message(14, new ProtobufWriter().string(1, key).string(2, value).finish());
  }
  return w.finish();
}
