// Reads ONNX ModelProto.metadata_props without parsing the graph. Custom Vision exports record
// their input convention there (Image.BitmapPixelFormat, Image.NominalPixelRange).
// ModelProto: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto  (metadata_props = 14,
//   StringStringEntryProto { string key = 1; string value = 2; })
// Wire format: https://protobuf.dev/programming-guides/encoding/  (tag = field << 3 | wire type;
//   0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; 3/4 are deprecated groups)
// Top-level fields are visited by seeking, so a 1 GB graph (field 7) costs one header read.

import * as fs from 'fs';
import { UserInputError } from '../errors';

const METADATA_PROPS = 14;
const HEADER_BYTES = 20; // a tag varint and a length varint are at most 10 bytes each

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
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const props: Record<string, string> = {};
    const header = Buffer.alloc(HEADER_BYTES);
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(header, 0, HEADER_BYTES, pos);
      const head = header.subarray(0, bytesRead);
      const tag = readVarint(head, 0);
      const field = Math.floor(tag.value / 8);
      const wire = tag.value % 8;
      if (field === 0) throw new WireError(`field number 0 at byte ${pos}`);
      let next: number;
      if (wire === 0) next = pos + readVarint(head, tag.next).next;
      else if (wire === 1) next = pos + tag.next + 8;
      else if (wire === 5) next = pos + tag.next + 4;
      else if (wire === 2) {
        const len = readVarint(head, tag.next);
        const start = pos + len.next;
        next = start + len.value;
        if (next > size) throw new WireError(`field ${field} at byte ${pos} runs past the end of the file`);
        if (field === METADATA_PROPS) {
          const body = Buffer.alloc(len.value);
          await fh.read(body, 0, len.value, start);
          const entry = parseEntry(body);
          props[entry.key] = entry.value;
        }
      } else throw new WireError(`unsupported wire type ${wire} at byte ${pos}`);
      if (next > size) throw new WireError(`field ${field} at byte ${pos} runs past the end of the file`);
      pos = next;
    }
    return props;
  } catch (e) {
    if (e instanceof WireError) {
      throw new UserInputError(`${file}: not a valid ONNX model file (${e.message})`, { file });
    }
    throw e;
  } finally {
    await fh.close();
  }
}
