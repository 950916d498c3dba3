import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import { readOnnxGraphSignature, readOnnxMetadata, readOnnxSignature } from '../../../src/model-repository/onnx-model';
import { detectNetV2Model } from '../../../testbed/onnx-models/onnx-models';

// Hand encoding per https://protobuf.dev/programming-guides/encoding/
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const tag = (field: number, wire: number): number[] => varint(field * 8 + wire);
const bytesField = (field: number, body: Uint8Array | number[]): number[] => [...tag(field, 2), ...varint(body.length), ...body];
const stringField = (field: number, s: string): number[] => bytesField(field, [...Buffer.from(s, 'utf8')]);
const entry = (key: string, value: string): number[] => bytesField(14, [...stringField(1, key), ...stringField(2, value)]);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-meta-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeModel(name: string, bytes: number[] | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.from(bytes));
  return file;
}

describe('readOnnxMetadata', () => {
  it('reads Custom Vision metadata_props and skips the graph and other fields by wire type', async () => {
    // A graph body that is not valid protobuf: it would fail if the reader descended into it.
    const graph = Buffer.alloc(300_000, 0xff);
    const model = [
      ...tag(1, 0), ...varint(7), // ir_version
      ...stringField(2, 'CustomVision'), // producer_name
      ...bytesField(8, [...tag(2, 0), ...varint(12)]), // opset_import { version: 12 }
      ...bytesField(7, graph),
      ...tag(98, 1), 1, 2, 3, 4, 5, 6, 7, 8, // an unknown fixed64
      ...tag(99, 5), 1, 2, 3, 4, // an unknown fixed32
      ...entry('Image.BitmapPixelFormat', 'Bgr8'),
      ...entry('Image.NominalPixelRange', 'NominalRange_0_255'),
      ...entry('CustomVision.Version', 'é1'),
      ...entry('CustomVision.Version', '2'), // a repeated key: the last wins
    ];
    const metadata = await readOnnxMetadata(writeModel('cv.onnx', model));
    expect(metadata).toEqual({
      'Image.BitmapPixelFormat': 'Bgr8',
      'Image.NominalPixelRange': 'NominalRange_0_255',
      'CustomVision.Version': '2',
    });
  });

  it('returns an empty record for a model without metadata', async () => {
    expect(await readOnnxMetadata(writeModel('plain.onnx', [...tag(1, 0), 8, ...bytesField(7, [1, 2, 3])]))).toEqual({});
  });

  it.each([
    ['a field running past the end', [...tag(7, 2), ...varint(1000), 1, 2, 3], /field 7 at byte 0 runs past the end of the file/],
    ['a truncated varint', [...tag(1, 0), 0x80], /truncated or overlong varint/],
    ['a group wire type', [...tag(3, 3)], /unsupported wire type 3 at byte 0/],
    ['a text file', [...Buffer.from('hello, not protobuf')], /not a valid ONNX model file/],
  ])('refuses %s with a UserInputError naming the file', async (_what, bytes, message) => {
    const file = writeModel('bad.onnx', bytes);
    const error = await readOnnxMetadata(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).message).toMatch(message);
    expect((error as UserInputError).where.file).toBe(file);
  });
});

// ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1; shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
const valueInfo = (name: string, elemType: number, dims: (number | string)[]): number[] => [
  ...stringField(1, name),
  ...bytesField(2, bytesField(1, [
    ...tag(1, 0), ...varint(elemType),
    ...bytesField(2, dims.flatMap((d) => bytesField(1, typeof d === 'number' ? [...tag(1, 0), ...varint(d)] : stringField(2, d)))),
  ])),
];

describe('readOnnxGraphSignature', () => {
  it('reads the same inputs and outputs from the file as the in-memory decoder does from the bytes', async () => {
    const model = detectNetV2Model({ height: 32, width: 64, classes: 2 });
    const file = writeModel('detectnet.onnx', Buffer.from(model));
    expect(await readOnnxGraphSignature(file)).toEqual(readOnnxSignature(model, file));
    expect((await readOnnxGraphSignature(file)).inputs).toEqual([{ name: 'input_1', elemType: 1, dims: [-1, 3, 32, 64] }]);
  });

  it('reads only the name of each weight: what follows it in the initializer is never parsed', async () => {
    // TensorProto { dims = 1; data_type = 2; name = 8; ...} then bytes that are not protobuf at all.
    const weight = [...tag(1, 0), 4, ...tag(2, 0), 1, ...stringField(8, 'w'), ...Buffer.alloc(300_000, 0xff)];
    const graph = [
      ...bytesField(5, weight),
      ...bytesField(11, valueInfo('x', 1, ['n', 4])),
      ...bytesField(12, valueInfo('y', 7, ['n'])),
    ];
    const file = writeModel('weights.onnx', [...tag(1, 0), ...varint(7), ...bytesField(7, graph)]);
    expect(await readOnnxGraphSignature(file)).toEqual({
      inputs: [{ name: 'x', elemType: 1, dims: [-1, 4] }],
      outputs: [{ name: 'y', elemType: 7, dims: [-1] }],
    });
  });
});

describe('readOnnxSignature', () => {
  it('reads the graph inputs and outputs, leaving out initializers listed as inputs', () => {
    const dim = (n: number): number[] => bytesField(1, [...tag(1, 0), ...varint(n)]);
    const tensorType = (elem: number, dims: number[]): number[] =>
      bytesField(2, bytesField(1, [...tag(1, 0), ...varint(elem), ...bytesField(2, dims.flatMap(dim))]));
    const valueInfo = (field: number, name: string, elem: number, dims: number[]): number[] =>
      bytesField(field, [...stringField(1, name), ...tensorType(elem, dims)]);
    const graph = [
      ...bytesField(5, stringField(8, 'weights')),
      ...valueInfo(11, 'data', 1, [1, 3, 416, 416]),
      ...valueInfo(11, 'weights', 1, [8]),
      ...valueInfo(12, 'model_outputs0', 1, [1, 35, 13, 13]),
    ];
    expect(readOnnxSignature(Buffer.from([...tag(1, 0), 7, ...bytesField(7, graph)]), 'model.onnx')).toEqual({
      inputs: [{ name: 'data', elemType: 1, dims: [1, 3, 416, 416] }],
      outputs: [{ name: 'model_outputs0', elemType: 1, dims: [1, 35, 13, 13] }],
    });
  });

  it.each([
    [3, undefined],
    [7, [{ name: 'w', elemType: 1, dims: [4] }]],
  ])('leaves weights listed as inputs out of the inputs, as onnxruntime does (IR version %i; overridable from 4 on)', async (ir, overridable) => {
    const weight = [...tag(1, 0), 4, ...stringField(8, 'w'), ...bytesField(9, Buffer.alloc(70_000, 0xff))];
    const graph = [
      ...bytesField(5, weight),
      ...bytesField(11, valueInfo('x', 1, [4])),
      ...bytesField(11, valueInfo('w', 1, [4])),
      ...bytesField(12, valueInfo('y', 1, [4])),
    ];
    const file = writeModel(`ir${ir}.onnx`, [...tag(1, 0), ...varint(ir), ...bytesField(7, graph)]);
    const sig = await readOnnxGraphSignature(file);
    expect([sig.inputs.map((i) => i.name), sig.overridable]).toEqual([['x'], overridable]);
  });

  it('refuses a model without a graph, naming the file', async () => {
    const file = writeModel('nograph.onnx', [...tag(1, 0), 7, ...entry('k', 'v')]);
    await expect(readOnnxGraphSignature(file)).rejects.toThrow(new UserInputError(`${file}: not a valid ONNX model file (no graph in the model)`));
  });

  it.each([
    ['random bytes whose first tag has wire type 7', [0x0f, 0x01, 0x02], /unsupported wire type 7 at byte 0/],
    ['a graph holding wire type 7', [...bytesField(7, [0x0f, 0x00])], /unsupported wire type 7/],
    ['a field longer than the file', [...tag(7, 2), ...varint(1000), 1, 2], /runs past the end/],
    ['valid protobuf without a graph', [...tag(1, 0), 7], /no graph in the model/],
  ])('refuses %s with a UserInputError naming the file', (_name, bytes, expected) => {
    let error: unknown;
    try {
      readOnnxSignature(Buffer.from(bytes), 'export/model.onnx');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(/^export\/model\.onnx: not a valid ONNX model file \(/);
    expect((error as Error).message).toMatch(expected);
  });
});
