// Reads an ONNX file's metadata_props and its graph's inputs and outputs without reading the weights.
// Custom Vision exports record their input convention in metadata_props (Image.BitmapPixelFormat,
// Image.NominalPixelRange); the graph's inputs and outputs are what Triton's auto-complete reads.
// ModelProto: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto  (ir_version = 1, graph = 7,
//   metadata_props = 14 { key = 1; value = 2 }; GraphProto: initializer = 5, input = 11, output = 12;
//   TensorProto.name = 8)
// Wire format: https://protobuf.dev/programming-guides/encoding/  (tag = field << 3 | wire type;
//   0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; 3/4 are deprecated groups)
// Fields are visited by seeking through a small read window, so a 1 GB model costs a few reads:
// the weights (initializers, node attributes) are skipped, never read.

import * as fs from 'fs';
import { UserInputError } from '../errors';
import { OnnxSignature, OnnxTensorInfo, readValueInfo } from './onnx-signature';

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
