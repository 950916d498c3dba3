import { encodeVarint, ProtobufWriter } from '../../../testbed/onnx-models/protobuf-writer';

describe('protobuf writer', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [150, [0x96, 0x01]],
    [300, [0xac, 0x02]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('encodes varint %d as the protobuf spec shows', (value, bytes) => {
    expect(Array.from(encodeVarint(value))).toEqual(bytes);
  });

  it('writes keys with the right wire types', () => {
    const bytes = new ProtobufWriter().varint(1, 150).string(2, 'testing').float(7, 1).finish();
    expect(Array.from(bytes)).toEqual([
      0x08, 0x96, 0x01, // field 1 varint
      0x12, 0x07, ...Buffer.from('testing'), // field 2 length-delimited
      0x3d, 0x00, 0x00, 0x80, 0x3f, // field 7 fixed32, 1.0f little-endian
    ]);
  });
});
