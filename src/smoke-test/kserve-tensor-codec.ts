// Inference request/response bodies of the KServe v2 protocol, as JSON (`data` flattened, row-major)
// or with Triton's binary tensor data extension: the JSON object, then each binary tensor's raw
// little-endian bytes in the order the tensors are listed; Inference-Header-Content-Length gives the
// JSON length. ../shared/reference/triton/extension_binary_data.md
//
// BYTES tensors keep the binary layout in a Uint8Array (each element: uint32 LE length, then the
// bytes) whichever way they travel, so one Tensor type holds them; splitByteElements() reads them.
import * as os from 'os';
import { Tensor, TensorData, TensorDatatype, elementCount, floatToHalf, tensorValues } from './tensors';

export interface EncodedBody {
  body: Buffer;
  headers: Record<string, string>;
}

const ELEMENT_BYTES: Record<Exclude<TensorDatatype, 'BYTES'>, number> = {
  BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, BF16: 2,
  UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8,
};

type Typed = Exclude<TensorData, number[] | boolean[]>;
type TypedConstructor = { new (length: number): Typed; new (buffer: ArrayBuffer, offset?: number, length?: number): Typed };

const ARRAY_OF: Record<TensorDatatype, TypedConstructor> = {
  BOOL: Uint8Array, UINT8: Uint8Array, INT8: Int8Array, UINT16: Uint16Array, INT16: Int16Array, FP16: Uint16Array,
  BF16: Uint16Array, UINT32: Uint32Array, INT32: Int32Array, FP32: Float32Array, UINT64: BigUint64Array,
  INT64: BigInt64Array, FP64: Float64Array, BYTES: Uint8Array,
};

const HOST_IS_LITTLE_ENDIAN = os.endianness() === 'LE';

/** @param binary true: binary tensor data extension for inputs and outputs; false: plain JSON. */
export function encodeInferRequest(inputs: readonly Tensor[], outputNames: readonly string[], binary: boolean): EncodedBody {
  if (!binary) {
    const literals = inputs.map(jsonElements);
    const json = {
      inputs: inputs.map((t, i) => ({ name: t.name, shape: t.shape, datatype: t.datatype, data: placeholder(i) })),
      outputs: outputNames.map((name) => ({ name })),
    };
    return { body: Buffer.from(spliceLiterals(JSON.stringify(json), literals), 'utf8'), headers: { 'content-type': 'application/json' } };
  }
  const chunks = inputs.map((t) => tensorBytes(t));
  const header = Buffer.from(
    JSON.stringify({
      inputs: inputs.map((t, i) => ({ name: t.name, shape: t.shape, datatype: t.datatype, parameters: { binary_data_size: chunks[i].length } })),
      outputs: outputNames.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
    'utf8',
  );
  return {
    body: Buffer.concat([header, ...chunks]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  };
}

interface ResponseOutput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  parameters?: { binary_data_size?: unknown };
  data?: unknown;
}

/**
 * @param headerLength Inference-Header-Content-Length, undefined when the body is only JSON.
 * @throws Error naming the output and what does not add up.
 */
export function decodeInferResponse(body: Buffer, headerLength: number | undefined, littleEndianHost = HOST_IS_LITTLE_ENDIAN): Tensor[] {
  const jsonLength = headerLength ?? body.length;
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length) {
    throw new Error(`Inference-Header-Content-Length ${headerLength} does not fit the ${body.length}-byte response`);
  }
  const json = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as { outputs?: ResponseOutput[] };
  if (!Array.isArray(json.outputs)) throw new Error(`the inference response has no 'outputs' array`);
  let offset = jsonLength;
  return json.outputs.map((o) => {
    const name = String(o.name);
    const datatype = String(o.datatype) as TensorDatatype;
    if (!(datatype in ARRAY_OF)) throw new Error(`output '${name}' has unknown datatype '${datatype}'`);
    const shape = Array.isArray(o.shape) ? o.shape.map(Number) : [];
    const size = o.parameters?.binary_data_size;
    let data: TensorData;
    if (size !== undefined) {
      const n = Number(size);
      if (!Number.isInteger(n) || n < 0 || offset + n > body.length) {
        throw new Error(`output '${name}' claims ${String(size)} bytes of binary data but ${body.length - offset} remain`);
      }
      data = fromBytes(name, datatype, elementCount(shape), body.subarray(offset, offset + n), littleEndianHost);
      offset += n;
    } else {
      if (o.data === undefined) throw new Error(`output '${name}' has neither 'data' nor binary_data_size`);
      data = fromJsonValues(name, datatype, (Array.isArray(o.data) ? o.data : [o.data]).flat(Infinity as 1) as unknown[]);
    }
    const count = datatype === 'BYTES' ? splitByteElements(data as Uint8Array).length : data.length;
    if (count !== elementCount(shape)) throw new Error(`output '${name}' has ${count} elements, its shape [${shape}] needs ${elementCount(shape)}`);
    return { name, datatype, shape, data };
  });
}

/** The elements of a BYTES tensor (see the file comment for the layout). */
export function splitByteElements(data: Uint8Array): Buffer[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 4 > bytes.length) throw new Error(`BYTES data is truncated at byte ${at}`);
    const length = bytes.readUInt32LE(at);
    if (at + 4 + length > bytes.length) throw new Error(`BYTES element at byte ${at} (length ${length}) overruns the data`);
    out.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** Elements as a BYTES tensor's data. */
export function joinByteElements(elements: readonly (string | Uint8Array)[]): Uint8Array {
  const parts = elements.map((e) => (typeof e === 'string' ? Buffer.from(e, 'utf8') : Buffer.from(e)));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    at = out.writeUInt32LE(p.length, at);
    at += p.copy(out, at);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The tensor's binary-extension bytes; the tensor's own memory when it already has that layout. */
function tensorBytes(t: Tensor): Buffer {
  const { data, datatype } = t;
  if (datatype === 'BYTES') return Buffer.from((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).byteLength);
  if (HOST_IS_LITTLE_ENDIAN && data instanceof ARRAY_OF[datatype]) {
    const typed = data as Typed;
    return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  const size = ELEMENT_BYTES[datatype];
  // FP16/BF16 given as numbers (not bit patterns) are converted to their bits first.
  const halfBits = (datatype === 'FP16' || datatype === 'BF16') && !(data instanceof Uint16Array);
  const toBits = datatype === 'FP16' ? floatToHalf : floatToBfloat16;
  const out = Buffer.alloc(data.length * size);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < data.length; i++) writeElement(view, i * size, datatype, halfBits ? toBits(Number(data[i])) : data[i]);
  return out;
}

function writeElement(view: DataView, at: number, datatype: Exclude<TensorDatatype, 'BYTES'>, v: number | bigint | boolean): void {
  switch (datatype) {
    case 'BOOL': case 'UINT8': return view.setUint8(at, Number(v));
    case 'INT8': return view.setInt8(at, Number(v));
    case 'UINT16': case 'FP16': case 'BF16': return view.setUint16(at, Number(v), true);
    case 'INT16': return view.setInt16(at, Number(v), true);
    case 'UINT32': return view.setUint32(at, Number(v), true);
    case 'INT32': return view.setInt32(at, Number(v), true);
    case 'FP32': return view.setFloat32(at, Number(v), true);
    case 'UINT64': return view.setBigUint64(at, BigInt(v), true);
    case 'INT64': return view.setBigInt64(at, BigInt(v), true);
    case 'FP64': return view.setFloat64(at, Number(v), true);
  }
}

function fromBytes(name: string, datatype: TensorDatatype, count: number, bytes: Buffer, littleEndianHost: boolean): TensorData {
  if (datatype === 'BYTES') return new Uint8Array(bytes); // a copy: the response buffer is not kept alive
  const size = ELEMENT_BYTES[datatype];
  if (bytes.length !== count * size) throw new Error(`output '${name}' has ${bytes.length} bytes of ${datatype} data, its shape needs ${count * size}`);
  // slice() copies into a fresh, aligned ArrayBuffer; the tensor may start at any byte of the body.
  const aligned = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  if (littleEndianHost || size === 1) return new ARRAY_OF[datatype](aligned);
  const view = new DataView(aligned);
  const out = new ARRAY_OF[datatype](count);
  for (let i = 0; i < count; i++) out[i] = readElement(view, i * size, datatype) as never;
  return out;
}

function readElement(view: DataView, at: number, datatype: TensorDatatype): number | bigint {
  switch (datatype) {
    case 'INT8': return view.getInt8(at);
    case 'UINT16': case 'FP16': case 'BF16': return view.getUint16(at, true);
    case 'INT16': return view.getInt16(at, true);
    case 'UINT32': return view.getUint32(at, true);
    case 'INT32': return view.getInt32(at, true);
    case 'FP32': return view.getFloat32(at, true);
    case 'UINT64': return view.getBigUint64(at, true);
    case 'INT64': return view.getBigInt64(at, true);
    case 'FP64': return view.getFloat64(at, true);
    default: return view.getUint8(at);
  }
}

/** JSON values into the same typed storage a binary response gives, so both protocols agree. */
function fromJsonValues(name: string, datatype: TensorDatatype, values: unknown[]): TensorData {
  const wrong = (v: unknown): Error => new Error(`output '${name}': ${JSON.stringify(v)} is not a ${datatype} value`);
  if (datatype === 'BYTES') {
    return joinByteElements(values.map((v) => {
      if (typeof v !== 'string') throw wrong(v);
      return v;
    }));
  }
  const out = new ARRAY_OF[datatype](values.length);
  values.forEach((v, i) => {
    if (datatype === 'BOOL' ? typeof v !== 'boolean' : typeof v !== 'number') throw wrong(v);
    const n = Number(v);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(Math.trunc(n));
    else out[i] = datatype === 'FP16' ? floatToHalf(n) : datatype === 'BF16' ? floatToBfloat16(n) : n;
  });
  return out;
}

function floatToBfloat16(value: number): number {
  const u = new Uint32Array(new Float32Array([value]).buffer)[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff; // round half to even
}

function jsonElements(t: Tensor): string {
  const { datatype } = t;
  if (datatype === 'BYTES') return JSON.stringify(splitByteElements(t.data as Uint8Array).map((b) => b.toString('utf8')));
  // JSON carries FP16/BF16 as numbers, not bit patterns.
  const data = datatype === 'FP16' || datatype === 'BF16' ? tensorValues(t) : t.data;
  const parts: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (datatype === 'BOOL') parts[i] = v ? 'true' : 'false';
    else if (typeof v === 'bigint') parts[i] = v.toString();
    else parts[i] = Number.isFinite(v) ? String(v) : 'null';
  }
  return `[${parts.join(',')}]`;
}

// Element lists are spliced in as JSON text: INT64 keeps every digit and large tensors skip an array of boxed numbers.
function placeholder(i: number): string {
  return `\u0000${i}\u0000`;
}

function spliceLiterals(json: string, literals: string[]): string {
  return json.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => literals[Number(i)]);
}
