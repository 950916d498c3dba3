import { decodeInferResponse, encodeInferRequest, joinByteElements, splitByteElements } from '../../../src/smoke-test/kserve-tensor-codec';
import { Tensor } from '../../../src/smoke-test/tensors';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('binary tensor data extension (extension_binary_data.md), byte for byte', () => {
  it("encodes the spec's example request: JSON header, then 16 bytes of UINT32 and 3 bytes of BOOL", () => {
    const inputs: Tensor[] = [
      { name: 'input0', datatype: 'UINT32', shape: [2, 2], data: new Uint32Array([1, 2, 3, 4]) },
      { name: 'input1', datatype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    ];
    const { body, headers } = encodeInferRequest(inputs, ['output0'], true);
    const json =
      '{"inputs":[{"name":"input0","shape":[2,2],"datatype":"UINT32","parameters":{"binary_data_size":16}},' +
      '{"name":"input1","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}}],' +
      '"outputs":[{"name":"output0","parameters":{"binary_data":true}}]}';
    const tensorBytes = hex('01000000 02000000 03000000 04000000' + '01 00 01');
    expect(body).toEqual(Buffer.concat([Buffer.from(json), tensorBytes]));
    expect(body.length).toBe(json.length + 19);
    expect(headers).toEqual({ 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) });
  });

  it("decodes the spec's example response: a [3,2] FP32 tensor from 24 little-endian bytes", () => {
    const json = '{"outputs":[{"name":"output0","shape":[3,2],"datatype":"FP32","parameters":{"binary_data_size":24}}]}';
    // 1.0 = 0x3f800000, 1.1 = 0x3f8ccccd, 2.0 = 0x40000000, 2.1 = 0x40066666, 3.0 = 0x40400000, 3.1 = 0x40466666
    const data = hex('0000803f cdcc8c3f 00000040 66660640 00004040 66664640');
    const [out] = decodeInferResponse(Buffer.concat([Buffer.from(json), data]), json.length);
    expect(out).toEqual({ name: 'output0', datatype: 'FP32', shape: [3, 2], data: new Float32Array([1.0, 1.1, 2.0, 2.1, 3.0, 3.1]) });
  });

  it('decodes INT64 to BigInt64Array and BYTES (length-prefixed) at unaligned offsets, the same on the big-endian path', () => {
    const json = Buffer.from(
      '{"outputs":[{"name":"n","shape":[2],"datatype":"INT64","parameters":{"binary_data_size":16}},' +
        '{"name":"s","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":11}},' +
        '{"name":"h","shape":[1],"datatype":"INT16","parameters":{"binary_data_size":2}}]}',
    );
    const n = hex('feffffffffffffff 0000000000000080'); // -2, -2^63
    const s = hex('02000000 6869' + '01000000 21'); // "hi", "!"
    const h = hex('fe7f'); // 32766
    const body = Buffer.concat([json, n, s, h]);
    expect(json.length % 8).not.toBe(0);
    for (const littleEndianHost of [true, false]) {
      const [int64, bytes, int16] = decodeInferResponse(body, json.length, littleEndianHost);
      expect(int64.data).toEqual(new BigInt64Array([-2n, -(2n ** 63n)]));
      expect(splitByteElements(bytes.data as Uint8Array).map((b) => b.toString())).toEqual(['hi', '!']);
      expect(int16.data).toEqual(new Int16Array([32766]));
    }
  });

  it('decodes JSON outputs (nested or flat data) into the same typed storage as binary ones', () => {
    const body = Buffer.from(
      JSON.stringify({
        outputs: [
          { name: 'f', shape: [2, 2], datatype: 'FP32', data: [[1.5, 2], [3, 4]] },
          { name: 'i', shape: [2], datatype: 'INT64', data: [7, -1] },
          { name: 'b', shape: [2], datatype: 'BOOL', data: [true, false] },
          { name: 's', shape: [1], datatype: 'BYTES', data: ['hi'] },
          { name: 'h', shape: [1], datatype: 'FP16', data: [1.5] },
        ],
      }),
    );
    const out = decodeInferResponse(body, undefined);
    expect(out.map((t) => t.data)).toEqual([
      new Float32Array([1.5, 2, 3, 4]),
      new BigInt64Array([7n, -1n]),
      new Uint8Array([1, 0]),
      joinByteElements(['hi']),
      new Uint16Array([0x3e00]),
    ]);
  });

  it('writes JSON requests with flattened data, INT64 digits intact and BYTES as strings', () => {
    const inputs: Tensor[] = [
      { name: 'i', datatype: 'INT64', shape: [1], data: new BigInt64Array([9007199254740993n]) },
      { name: 'b', datatype: 'BOOL', shape: [2], data: new Uint8Array([0, 1]) },
      { name: 's', datatype: 'BYTES', shape: [2], data: joinByteElements(['a', 'bc']) },
      { name: 'f', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.25, -3]) },
    ];
    const { body, headers } = encodeInferRequest(inputs, ['out'], false);
    expect(headers).toEqual({ 'content-type': 'application/json' });
    expect(body.toString()).toBe(
      '{"inputs":[{"name":"i","shape":[1],"datatype":"INT64","data":[9007199254740993]},' +
        '{"name":"b","shape":[2],"datatype":"BOOL","data":[false,true]},' +
        '{"name":"s","shape":[2],"datatype":"BYTES","data":["a","bc"]},' +
        '{"name":"f","shape":[1,2],"datatype":"FP32","data":[0.25,-3]}],"outputs":[{"name":"out"}]}',
    );
  });

  it('converts plain number arrays to the datatype’s little-endian bytes', () => {
    const { body, headers } = encodeInferRequest([{ name: 'x', datatype: 'INT16', shape: [2], data: [1, -2] }], [], true);
    const at = Number(headers['inference-header-content-length']);
    expect(body.subarray(at)).toEqual(hex('0100 feff'));
  });

  it('refuses a response whose binary data is shorter than its parameters say, naming the output', () => {
    const json = '{"outputs":[{"name":"y","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}';
    expect(() => decodeInferResponse(Buffer.concat([Buffer.from(json), Buffer.alloc(4)]), json.length)).toThrow(
      "output 'y' claims 8 bytes of binary data but 4 remain",
    );
  });
});
