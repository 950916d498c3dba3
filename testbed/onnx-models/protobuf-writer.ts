/**
 * Minimal protobuf binary writer: just what the ONNX messages need.
 * Wire format: https://protobuf.dev/programming-guides/encoding/
 * (key = field << 3 | wire type; 0 varint, 2 length-delimited, 5 fixed 32-bit).
 * Encoding is deterministic: fields come out in the order they are written.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];

  /** int32/int64/enum/bool field. Negative values take 10 bytes (two's complement), as protobuf requires. */
  varint(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.chunks.push(encodeVarint(value));
    return this;
  }

  /** A float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** bytes field, or an embedded message already encoded. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.chunks.push(encodeVarint(value.length), value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  finish(): Uint8Array {
    const length = this.chunks.reduce((sum, c) => sum + c.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private key(field: number, wireType: number): void {
    this.chunks.push(encodeVarint((field << 3) | wireType));
  }
}

export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new Error(`varint value must be an integer, got ${value}`);
  }
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}
