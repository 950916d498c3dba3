// What the action reads from an ONNX model, with one protobuf wire decoder:
// - metadata_props (Custom Vision exports record their input convention there), read by seeking
//   over the top-level fields of the file, so a 1 GB graph (field 7) costs one header read;
// - the graph's inputs and outputs (names, element types, shapes), so config.pbtxt matches the model
//   and Triton's auto-complete can be followed; from a file, seeking past the weights, or from bytes.
// onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto): ModelProto.graph = 7,
//   metadata_props = 14; StringStringEntryProto.key = 1, value = 2; GraphProto.initializer = 5,
//   input = 11, output = 12; TensorProto.name = 8; ValueInfoProto.name = 1, type = 2;
//   TypeProto.tensor_type = 1; TypeProto.Tensor.elem_type = 1, shape = 2; TensorShapeProto.dim = 1;
//   Dimension.dim_value = 1.
// Wire format: https://protobuf.dev/programming-guides/encoding/ (tag = field << 3 | wire type;
//   0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; 3/4 are deprecated groups).

import * as fs from 'fs';
import { UserInputError } from '../errors';

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

const IR_VERSION = 1;
const GRAPH = 7;
const METADATA_PROPS = 14;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const TENSOR_NAME = 8;
const WINDOW_BYTES = 64 * 1024;

class WireError extends Error {}

/** Decodes a varint at `offset` of `buf`; values up to 2^53 are exact. */
function readVarint(buf: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    value += (buf[i] & 0x7f) * scale;
    if ((buf[i] & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  throw new WireError(`truncated or overlong varint at byte ${offset}`);
}

/** One field's tag, and where its value ends: `length` and `start` for length-delimited fields. */
interface FieldHead {
  field: number;
  wire: number;
  /** The varint value (wire 0) or the byte length (wire 2). */
  value: number;
  start: number;
  end: number;
}

/** Reads the field starting at `pos` of `buf` (`base` is buf's offset in the whole input, for messages). */
function fieldAt(buf: Uint8Array, pos: number, base = 0): FieldHead {
  const tag = readVarint(buf, pos);
  const field = Math.floor(tag.value / 8);
  const wire = tag.value % 8;
  if (field === 0) throw new WireError(`field number 0 at byte ${base + pos}`);
  if (wire === 0) {
    const v = readVarint(buf, tag.next);
    return { field, wire, value: v.value, start: v.next, end: v.next };
  }
  if (wire === 2) {
    const len = readVarint(buf, tag.next);
    return { field, wire, value: len.value, start: len.next, end: len.next + len.value };
  }
  if (wire === 1) return { field, wire, value: 0, start: tag.next, end: tag.next + 8 };
  if (wire === 5) return { field, wire, value: 0, start: tag.next, end: tag.next + 4 };
  throw new WireError(`unsupported wire type ${wire} at byte ${base + pos}`);
}

type Field = { field: number; wire: number; value: number; bytes?: Uint8Array };

/** The fields of a message held in memory. */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const f = fieldAt(buf, pos);
    if (f.end > buf.length) throw new WireError(`field ${f.field} runs past the end of its message`);
    yield { field: f.field, wire: f.wire, value: f.value, bytes: f.wire === 2 ? buf.subarray(f.start, f.end) : undefined };
    pos = f.end;
  }
}

const utf8 = new TextDecoder('utf-8');
const text = (bytes: Uint8Array | undefined): string => (bytes ? utf8.decode(bytes) : '');

function notOnnx(file: string, e: WireError): UserInputError {
  return new UserInputError(`${file}: not a valid ONNX model file (${e.message})`, { file });
}

/** Reads ranges of a file through one cached window (headers of neighbouring fields cost no read). */
class FileWindow {
  private start = 0;
  private bytes = Buffer.alloc(0);
  constructor(private readonly fh: fs.promises.FileHandle, readonly size: number) {}

  async read(pos: number, length: number, readAhead = WINDOW_BYTES): Promise<Buffer> {
    const end = Math.min(pos + length, this.size);
    if (pos < this.start || end > this.start + this.bytes.length) {
      const want = Math.min(Math.max(length, readAhead), this.size - pos);
      const buf = Buffer.alloc(want);
      const { bytesRead } = await this.fh.read(buf, 0, want, pos);
      this.start = pos;
      this.bytes = buf.subarray(0, bytesRead);
    }
    return this.bytes.subarray(pos - this.start, end - this.start);
  }
}

interface WireField {
  field: number;
  wire: number;
  /** varint value, or the body's length for wire type 2 */
  value: number;
  /** where a wire-type-2 body starts */
  bodyStart: number;
}

/**
 * Visits the fields of the message stored in [begin, end) of the file, skipping their bodies;
 * `visit` returning 'stop' ends the walk. `readAhead`: bytes read past a header not yet in the window.
 */
async function walkFields(
  win: FileWindow,
  begin: number,
  end: number,
  visit: (f: WireField) => Promise<void | 'stop'> | void | 'stop',
  readAhead = WINDOW_BYTES,
): Promise<void> {
  let pos = begin;
  while (pos < end) {
    const head = await win.read(pos, 20, readAhead); // a tag varint and a length varint are at most 10 bytes each
    const tag = readVarint(head, 0);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 0) throw new WireError(`field number 0 at byte ${pos}`);
    let next: number;
    let value = 0;
    let bodyStart = 0;
    if (wire === 0) {
      const v = readVarint(head, tag.next);
      value = v.value;
      next = pos + v.next;
    } else if (wire === 1) next = pos + tag.next + 8;
    else if (wire === 5) next = pos + tag.next + 4;
    else if (wire === 2) {
      const len = readVarint(head, tag.next);
      value = len.value;
      bodyStart = pos + len.next;
      next = bodyStart + len.value;
    } else throw new WireError(`unsupported wire type ${wire} at byte ${pos}`);
    if (next > end) throw new WireError(`field ${field} at byte ${pos} runs past the end of ${end === win.size ? 'the file' : 'its message'}`);
    if ((await visit({ field, wire, value, bodyStart })) === 'stop') return;
    pos = next;
  }
}

async function withOnnxFile<T>(file: string, read: (win: FileWindow) => Promise<T>): Promise<T> {
  const fh = await fs.promises.open(file, 'r');
  try {
    return await read(new FileWindow(fh, (await fh.stat()).size));
  } catch (e) {
    if (e instanceof WireError) {
      throw new UserInputError(`${file}: not a valid ONNX model file (${e.message})`, { file });
    }
    throw e;
  } finally {
    await fh.close();
  }
}

/** Key/value strings of one StringStringEntryProto (unknown fields skipped). */
function parseEntry(buf: Uint8Array): { key: string; value: string } {
  const decoder = new TextDecoder('utf-8');
  let key = '';
  let value = '';
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === 2) {
      const len = readVarint(buf, pos);
      const end = len.next + len.value;
      if (end > buf.length) throw new WireError('metadata entry runs past its end');
      if (field === 1) key = decoder.decode(buf.subarray(len.next, end));
      else if (field === 2) value = decoder.decode(buf.subarray(len.next, end));
      pos = end;
    } else if (wire === 0) pos = readVarint(buf, pos).next;
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new WireError(`unsupported wire type ${wire} in a metadata entry`);
  }
  return { key, value };
}

/**
 * metadata_props of the ONNX model in `file` as a record (a repeated key: the last wins).
 * @throws UserInputError naming the file when it is not a readable protobuf ModelProto.
 */
export async function readOnnxMetadata(file: string): Promise<Record<string, string>> {
  return withOnnxFile(file, async (win) => {
    const props: Record<string, string> = {};
    await walkFields(win, 0, win.size, async (f) => {
      if (f.field !== METADATA_PROPS || f.wire !== 2) return;
      const entry = parseEntry(Buffer.from(await win.read(f.bodyStart, f.value)));
      props[entry.key] = entry.value;
    });
    return props;
  });
}

/**
 * The graph's inputs and outputs of the ONNX model in `file`, as onnxruntime lists them: a graph
 * input that is also an initializer is a weight, not an input (before IR version 4 every weight was
 * listed so); from IR version 4 on, a request may override it, so it is kept in `overridable`.
 * @throws UserInputError naming the file when it is not a readable ModelProto with a graph.
 */
export async function readOnnxGraphSignature(file: string): Promise<OnnxSignature> {
  return withOnnxFile(file, async (win) => {
    let irVersion = 0;
    let graph: WireField | undefined;
    await walkFields(win, 0, win.size, (f) => {
      if (f.field === IR_VERSION && f.wire === 0) irVersion = f.value;
      if (f.field === GRAPH && f.wire === 2) graph = f;
    });
    if (!graph) throw new WireError('no graph in the model');
    const inputs: OnnxTensorInfo[] = [];
    const outputs: OnnxTensorInfo[] = [];
    const initializers: WireField[] = [];
    const g = graph;
    await walkFields(win, g.bodyStart, g.bodyStart + g.value, async (f) => {
      if (f.wire !== 2) return;
      if (f.field === GRAPH_INPUT) inputs.push(readValueInfo(Buffer.from(await win.read(f.bodyStart, f.value))));
      else if (f.field === GRAPH_OUTPUT) outputs.push(readValueInfo(Buffer.from(await win.read(f.bodyStart, f.value))));
      else if (f.field === GRAPH_INITIALIZER) initializers.push(f);
    });
    if (initializers.length === 0) return { inputs, outputs };
    // A TensorProto's name (8) precedes raw_data (9) when serialized in field order: read little, stop there.
    const weights = new Set<string>();
    for (const t of initializers) {
      await walkFields(win, t.bodyStart, t.bodyStart + t.value, async (f) => {
        if (f.field !== TENSOR_NAME || f.wire !== 2) return;
        weights.add((await win.read(f.bodyStart, f.value, 256)).toString('utf8'));
        return 'stop';
      }, 256);
    }
    const overridable = irVersion >= 4 ? inputs.filter((i) => weights.has(i.name)) : [];
    return { inputs: inputs.filter((i) => !weights.has(i.name)), outputs, ...(overridable.length > 0 ? { overridable } : {}) };
  });
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

/**
 * The graph inputs (weights excluded) and outputs of the ONNX model `model`, read from `file`.
 * @throws UserInputError naming the file when it is not a ModelProto with a graph.
 */
export function readOnnxSignature(model: Uint8Array, file: string): OnnxSignature {
  try {
    for (const f of fields(model)) {
      if (f.field !== GRAPH || !f.bytes) continue;
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
  } catch (e) {
    if (e instanceof WireError) throw notOnnx(file, e);
    throw e;
  }
  throw new UserInputError(`${file}: not a valid ONNX model file (no graph in the model)`, { file });
}
