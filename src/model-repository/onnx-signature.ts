/**
 * The graph inputs and outputs of an ONNX model (names, element types, shapes), read straight from
 * the protobuf: the Custom Vision source writes config.pbtxt from it, and the validator fills in
 * or checks a config the way Triton's onnxruntime backend does (see onnx-auto-complete.ts).
 * onnx.proto: ModelProto.graph = 7; GraphProto.initializer = 5, input = 11, output = 12;
 * TensorProto.name = 8; ValueInfoProto.name = 1, type = 2; TypeProto.tensor_type = 1;
 * TypeProto.Tensor.elem_type = 1, shape = 2; TensorShapeProto.dim = 1; Dimension.dim_value = 1,
 * dim_param = 2. Wire format: https://protobuf.dev/programming-guides/encoding/
 */

export interface OnnxTensorInfo {
  name: string;
  /** TensorProto.DataType number (1 FLOAT, 7 INT64, ...). */
  elemType: number;
  /** -1 for a symbolic or unknown dimension. */
  dims: number[];
}

export interface OnnxSignature {
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** graph inputs that are also initializers (IR version 4+): weights a request may override */
  overridable?: OnnxTensorInfo[];
}

/** Triton data types for ONNX element types (model_config.proto DataType). */
export const TRITON_TYPE_OF_ONNX: Record<number, string> = {
  1: 'TYPE_FP32', 2: 'TYPE_UINT8', 3: 'TYPE_INT8', 4: 'TYPE_UINT16', 5: 'TYPE_INT16', 6: 'TYPE_INT32', 7: 'TYPE_INT64',
  8: 'TYPE_STRING', 9: 'TYPE_BOOL', 10: 'TYPE_FP16', 11: 'TYPE_FP64', 12: 'TYPE_UINT32', 13: 'TYPE_UINT64', 16: 'TYPE_BF16',
};

type Field = { field: number; wire: number; value: number; bytes?: Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Error('overlong varint');
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error(`field ${field} runs past its message`);
      yield { field, wire, value: len, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function text(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/** int64 varints of negative values come as 10-byte two's complement; treat anything huge as unknown. */
function dimension(bytes: Uint8Array): number {
  for (const f of fields(bytes)) if (f.field === 1 && f.wire === 0) return f.value > Number.MAX_SAFE_INTEGER ? -1 : f.value;
  return -1;
}

/** One ValueInfoProto (a graph input or output). */
export function readValueInfo(bytes: Uint8Array): OnnxTensorInfo {
  const info: OnnxTensorInfo = { name: '', elemType: 0, dims: [] };
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.bytes) info.name = text(f.bytes);
    if (f.field !== 2 || !f.bytes) continue;
    for (const t of fields(f.bytes)) {
      if (t.field !== 1 || !t.bytes) continue;
      for (const tensor of fields(t.bytes)) {
        if (tensor.field === 1 && tensor.wire === 0) info.elemType = tensor.value;
        if (tensor.field === 2 && tensor.bytes) {
          for (const d of fields(tensor.bytes)) if (d.field === 1 && d.bytes) info.dims.push(dimension(d.bytes));
        }
      }
    }
  }
  return info;
}

/** @throws Error when `model` is not a readable ONNX ModelProto with a graph. */
export function readOnnxSignature(model: Uint8Array): OnnxSignature {
  for (const f of fields(model)) {
    if (f.field !== 7 || !f.bytes) continue;
    const initializers = new Set<string>();
    const inputs: OnnxTensorInfo[] = [];
    const outputs: OnnxTensorInfo[] = [];
    for (const g of fields(f.bytes)) {
      if (g.field === 5 && g.bytes) for (const t of fields(g.bytes)) if (t.field === 8) initializers.add(text(t.bytes));
      if (g.field === 11 && g.bytes) inputs.push(readValueInfo(g.bytes));
      if (g.field === 12 && g.bytes) outputs.push(readValueInfo(g.bytes));
    }
    // Before IR version 4 initializers were also listed as inputs; they are weights, not inputs.
    return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
  }
  throw new Error('no graph in the model');
}
