// Reads an inference request: the JSON object, then any binary tensor data after it
// (../shared/reference/triton/extension_binary_data.md), validated against the model like Triton does.
import { ServerTensor, WireDatatype, arrayConstructorOf, elementCount, isWireDatatype } from './triton-datatypes';
import { TritonTensorConfig } from './triton-model-config';

/** An error Triton would answer with this HTTP status and `{ "error": message }`. */
export class TritonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'TritonHttpError';
  }
}

export interface ModelSignatureForRequests {
  name: string;
  maxBatchSize: number;
  inputs: TritonTensorConfig[];
  outputs: TritonTensorConfig[];
}

export interface RequestedOutput {
  name: string;
  binary: boolean;
}

export interface InferRequest {
  id?: string;
  inputs: ServerTensor[];
  outputs: RequestedOutput[];
}

interface JsonInput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  parameters?: { binary_data_size?: unknown };
  data?: unknown;
}

interface JsonRequest {
  id?: unknown;
  parameters?: { binary_data_output?: unknown };
  inputs?: JsonInput[];
  outputs?: { name?: unknown; parameters?: { binary_data?: unknown } }[];
}

const bad = (message: string): TritonHttpError => new TritonHttpError(400, message);

/** @param headerLength Inference-Header-Content-Length; undefined when the whole body is JSON. */
export function parseInferRequest(body: Buffer, headerLength: number | undefined, model: ModelSignatureForRequests): InferRequest {
  const jsonLength = headerLength ?? body.length;
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length) {
    throw bad(`Inference-Header-Content-Length ${headerLength} is not within the body's ${body.length} bytes`);
  }
  let request: JsonRequest;
  try {
    request = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as JsonRequest;
  } catch (e) {
    throw bad(`failed to parse the request JSON buffer: ${(e as Error).message}`);
  }
  if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) {
    throw bad(`the inference request has no 'inputs' array`);
  }
  let binaryOffset = jsonLength;
  const inputs = request.inputs.map((input) => {
    const tensor = readInput(input, body, binaryOffset, model);
    binaryOffset += binaryDataSize(input) ?? 0;
    return tensor;
  });
  if (binaryOffset !== body.length) {
    throw bad(`unexpected additional input data for model '${model.name}': ${body.length - binaryOffset} bytes after the last input`);
  }
  checkInputNames(inputs, model);
  const binaryByDefault = request.parameters?.binary_data_output === true;
  const outputs = (request.outputs ?? model.outputs.map((o) => ({ name: o.name }))).map((o): RequestedOutput => {
    const name = String(o.name);
    if (!model.outputs.some((m) => m.name === name)) throw bad(`unexpected inference output '${name}' for model '${model.name}'`);
    const binary = (o as { parameters?: { binary_data?: unknown } }).parameters?.binary_data;
    return { name, binary: typeof binary === 'boolean' ? binary : binaryByDefault };
  });
  return { id: typeof request.id === 'string' ? request.id : undefined, inputs, outputs };
}

function binaryDataSize(input: JsonInput): number | undefined {
  const size = input.parameters?.binary_data_size;
  return size === undefined ? undefined : Number(size);
}

function readInput(input: JsonInput, body: Buffer, offset: number, model: ModelSignatureForRequests): ServerTensor {
  const name = String(input.name);
  const expected = model.inputs.find((i) => i.name === name);
  if (!expected) throw bad(`unexpected inference input '${name}' for model '${model.name}'`);
  const datatype = String(input.datatype);
  if (!isWireDatatype(datatype) || datatype !== expected.datatype) {
    throw bad(`inference input '${name}' data-type is '${datatype}', but model '${model.name}' expects '${expected.datatype}'`);
  }
  const shape = Array.isArray(input.shape) ? input.shape.map(Number) : [];
  checkShape(name, shape, expected, model);
  const count = elementCount(shape);
  const size = binaryDataSize(input);
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < 0 || offset + size > body.length) {
      throw bad(`input '${name}' binary_data_size ${size} exceeds the ${body.length - offset} bytes of binary data left`);
    }
    return { name, datatype, shape, data: binaryTensorData(name, datatype, count, body.subarray(offset, offset + size)) };
  }
  if (input.data === undefined) throw bad(`input '${name}' has neither 'data' nor a binary_data_size parameter`);
  const flat = (Array.isArray(input.data) ? input.data : [input.data]).flat(Infinity as 1) as unknown[];
  if (flat.length !== count) {
    throw bad(`unexpected number of elements ${flat.length} for input '${name}', expecting ${count} for shape [${shape}]`);
  }
  return { name, datatype, shape, data: jsonTensorData(name, datatype, flat) };
}

function checkShape(name: string, shape: number[], expected: TritonTensorConfig, model: ModelSignatureForRequests): void {
  const full = model.maxBatchSize > 0 ? [-1, ...expected.dims] : expected.dims;
  const fits = shape.length === full.length && shape.every((d, i) => Number.isInteger(d) && d >= 0 && (full[i] === -1 || full[i] === d));
  if (!fits) {
    throw bad(`unexpected shape for input '${name}' for model '${model.name}'. Expected [${full.join(',')}], got [${shape.join(',')}]`);
  }
  if (model.maxBatchSize > 0 && shape[0] > model.maxBatchSize) {
    throw bad(`inference request batch-size must be <= ${model.maxBatchSize} for '${model.name}'`);
  }
}

function checkInputNames(inputs: ServerTensor[], model: ModelSignatureForRequests): void {
  const given = inputs.map((i) => i.name);
  const missing = model.inputs.map((i) => i.name).filter((n) => !given.includes(n));
  if (missing.length > 0 || new Set(given).size !== given.length) {
    throw bad(
      `expected ${model.inputs.length} inputs but got ${given.length} inputs for model '${model.name}'. ` +
        `Got input(s) [${given.map((n) => `'${n}'`).join(', ')}], but missing required input(s) [${missing.map((n) => `'${n}'`).join(', ')}]`,
    );
  }
}

/** Little-endian, row-major; viewed in place when aligned (no copy), copied otherwise. */
function binaryTensorData(name: string, datatype: WireDatatype, count: number, bytes: Buffer): ServerTensor['data'] {
  const ArrayType = arrayConstructorOf(datatype);
  if (!ArrayType) return readByteStrings(name, count, bytes);
  if (bytes.length !== count * ArrayType.BYTES_PER_ELEMENT) {
    throw bad(`unexpected total byte size ${bytes.length} for input '${name}', expecting ${count * ArrayType.BYTES_PER_ELEMENT}`);
  }
  if (bytes.byteOffset % ArrayType.BYTES_PER_ELEMENT === 0) return new ArrayType(bytes.buffer, bytes.byteOffset, count);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new ArrayType(copy.buffer, 0, count);
}

/** BYTES: each element is a 4-byte little-endian length followed by that many bytes. */
function readByteStrings(name: string, count: number, bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw bad(`input '${name}': truncated BYTES element length at byte ${at}`);
    const length = bytes.readUInt32LE(at);
    if (at + 4 + length > bytes.length) throw bad(`input '${name}': BYTES element at byte ${at} overruns the tensor data`);
    out.push(bytes.toString('utf8', at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (out.length !== count) throw bad(`unexpected number of string elements ${out.length} for input '${name}', expecting ${count}`);
  return out;
}

function jsonTensorData(name: string, datatype: WireDatatype, values: unknown[]): ServerTensor['data'] {
  const wrong = (v: unknown): TritonHttpError => bad(`unable to parse 'data' of input '${name}': ${JSON.stringify(v)} is not a ${datatype} value`);
  if (datatype === 'BYTES') {
    return values.map((v) => {
      if (typeof v !== 'string') throw wrong(v);
      return v;
    });
  }
  if (datatype === 'FP16') throw bad(`input '${name}': FP16 data is only accepted as binary data by this server`);
  const ArrayType = arrayConstructorOf(datatype)!;
  const out = new ArrayType(values.length);
  const isBig = out instanceof BigInt64Array || out instanceof BigUint64Array;
  values.forEach((v, i) => {
    if (datatype === 'BOOL') {
      if (typeof v !== 'boolean') throw wrong(v);
      out[i] = v ? 1 : 0;
    } else if (typeof v !== 'number' || (!datatype.startsWith('FP') && !Number.isInteger(v))) {
      throw wrong(v);
    } else {
      out[i] = isBig ? BigInt(v) : v;
    }
  });
  return out;
}
