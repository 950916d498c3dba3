/**
 * A small builder for ONNX graphs: constants become initializers, every node gets a stable
 * name from a counter, so building the same model twice yields the same bytes.
 */
import { AttributeValue, DataType, DataTypeCode, encodeModel, NodeInit, TensorInit, ValueInfoInit } from './onnx-proto';

/** IR version 7 goes with opset 13 (ONNX 1.8); onnxruntime-node 1.30 loads both. */
export const IR_VERSION = 7;
export const OPSET_VERSION = 13;
export const PRODUCER_NAME = 'aml-triton-deploy testbed onnx-models';

/** Attribute values: a whole number becomes an INT attribute, so pass float attributes that are whole as { floats }. */
type Attrs = Record<string, number | string | number[] | { floats: number[] } | { tensor: TensorInit }>;

export class GraphBuilder {
  private readonly nodes: NodeInit[] = [];
  private readonly initializers: TensorInit[] = [];
  private counter = 0;

  /** A float32 constant of the given shape (values row-major). */
  floats(values: number[] | Float32Array, dims: number[], hint = 'const'): string {
    const data = Float32Array.from(values);
    checkSize(data.length, dims);
    return this.initializer(hint, DataType.FLOAT, dims, new Uint8Array(littleEndianFloats(data)));
  }

  /** A float32 scalar constant (shape []). */
  scalar(value: number, hint = 'scalar'): string {
    return this.floats([value], [], hint);
  }

  /** An int64 constant; dims [] makes a scalar. */
  int64s(values: number[], dims: number[] = [values.length], hint = 'i64'): string {
    checkSize(values.length, dims);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.initializer(hint, DataType.INT64, dims, raw);
  }

  /** Adds a node with one output and returns that output's name (or the given one). */
  op(opType: string, inputs: string[], attrs: Attrs = {}, output?: string): string {
    return this.opMulti(opType, inputs, 1, attrs, output ? [output] : undefined)[0];
  }

  opMulti(opType: string, inputs: string[], outputCount: number, attrs: Attrs = {}, outputs?: string[]): string[] {
    const id = this.next();
    const names = outputs ?? Array.from({ length: outputCount }, (_, i) => `${opType.toLowerCase()}_${id}_out${i}`);
    this.nodes.push({ opType, name: `${opType}_${id}`, inputs, outputs: names, attributes: toAttributes(attrs) });
    return names;
  }

  build(opts: {
    graphName: string;
    inputs: ValueInfoInit[];
    outputs: ValueInfoInit[];
    metadata?: Record<string, string>;
  }): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      opsetVersion: OPSET_VERSION,
      producerName: PRODUCER_NAME,
      graphName: opts.graphName,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: opts.inputs,
      outputs: opts.outputs,
      metadata: opts.metadata,
    });
  }

  private initializer(hint: string, dataType: DataTypeCode, dims: number[], raw: Uint8Array): string {
    const name = `${hint}_${this.next()}`;
    this.initializers.push({ name, dataType, dims, raw });
    return name;
  }

  private next(): number {
    return this.counter++;
  }
}

function toAttributes(attrs: Attrs): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, v] of Object.entries(attrs)) {
    if (typeof v === 'string') out[name] = { kind: 'string', value: v };
    else if (Array.isArray(v)) out[name] = { kind: 'ints', value: v };
    else if (typeof v === 'number') {
      out[name] = Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
    } else if ('floats' in v) out[name] = { kind: 'floats', value: v.floats };
    else out[name] = { kind: 'tensor', value: v.tensor };
  }
  return out;
}

function littleEndianFloats(data: Float32Array): ArrayBuffer {
  const buf = new ArrayBuffer(data.length * 4);
  const view = new DataView(buf);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return buf;
}

function checkSize(count: number, dims: number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== count) throw new Error(`constant has ${count} values but dims ${JSON.stringify(dims)}`);
}
