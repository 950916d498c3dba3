// Tensors as the KServe v2 / Open Inference Protocol carries them.
// Datatype names: https://github.com/kserve/open-inference-protocol (Tensor Data Types).

export type TensorDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'BF16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/**
 * Element storage. FP16 and BF16 travel as their raw 16-bit patterns in a Uint16Array (the binary
 * extension's byte layout); a JSON response gives plain numbers (or booleans) instead.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | number[]
  | boolean[];

export interface Tensor {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
  data: TensorData;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Any numeric tensor as float64 values, in the tensor's row-major order. */
export function tensorValues(t: Tensor): Float64Array {
  const { data } = t;
  if (data instanceof Uint16Array && t.datatype === 'FP16') return Float64Array.from(data, halfToFloat);
  if (data instanceof Uint16Array && t.datatype === 'BF16') return Float64Array.from(data, bfloat16ToFloat);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  if (Array.isArray(data)) return Float64Array.from(data as ArrayLike<number | boolean>, Number);
  return Float64Array.from(data as ArrayLike<number>);
}

/** IEEE 754 binary16 bit pattern to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A number to its nearest IEEE 754 binary16 bit pattern (round half to even). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent rounds correctly
  return sign | half;
}

function bfloat16ToFloat(bits: number): number {
  u32[0] = bits << 16;
  return f32[0];
}
