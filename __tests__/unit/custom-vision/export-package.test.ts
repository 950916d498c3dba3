import * as zlib from 'zlib';
import { readExportPackage } from '../../../src/source/custom-vision/export-package';
import { readZip, ZipFormatError } from '../../../src/source/custom-vision/zip-reader';
import { crc32, writeStoredZip } from '../../../testbed/custom-vision/zip-writer';

/** A one-entry deflated ZIP built by hand (APPNOTE 4.3.7 / 4.3.12 / 4.3.16). */
function deflatedZip(name: string, data: Buffer): Buffer {
  const packed = zlib.deflateRawSync(data);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(local.length + n.length + packed.length, 16);
  return Buffer.concat([local, n, packed, central, n, end]);
}

describe('ZIP reading', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('reads back what the store-only writer wrote', () => {
    const zip = writeStoredZip([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: 'dir/b.bin', data: Buffer.from([0, 1, 2, 255]) },
    ]);
    const files = readZip(zip);
    expect(files.get('a.txt')?.toString()).toBe('alpha');
    expect([...(files.get('dir/b.bin') ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it('inflates deflated entries', () => {
    const text = 'model bytes '.repeat(500);
    expect(readZip(deflatedZip('model.onnx', Buffer.from(text))).get('model.onnx')?.toString()).toBe(text);
  });

  it('rejects an entry whose bytes do not match its CRC-32', () => {
    const zip = writeStoredZip([{ name: 'labels.txt', data: Buffer.from('tree') }]);
    zip[30 + 'labels.txt'.length] ^= 0xff;
    expect(() => readZip(zip)).toThrow(ZipFormatError);
    expect(() => readZip(zip)).toThrow('labels.txt fails its size or CRC-32 check');
  });

  it('rejects data that is not a ZIP archive', () => {
    expect(() => readZip(Buffer.from('<Error><Code>AuthenticationFailed</Code></Error>'))).toThrow('not a ZIP archive');
  });
});

describe('readExportPackage', () => {
  it('follows the manifest to the model and labels, CRLF labels included', () => {
    const zip = writeStoredZip([
      { name: 'cvexport.manifest', data: Buffer.from(JSON.stringify({ ModelFileName: 'net.onnx', LabelFileName: 'classes.txt' })) },
      { name: 'net.onnx', data: Buffer.from('onnx') },
      { name: 'classes.txt', data: Buffer.from('\uFEFFcar\r\ntree\r\n') },
    ]);
    const pkg = readExportPackage(zip);
    expect(pkg.model.toString()).toBe('onnx');
    expect(pkg.labels).toEqual(['car', 'tree']);
  });

  it('finds model.onnx and labels.txt in a subfolder when there is no manifest', () => {
    const zip = writeStoredZip([
      { name: 'export/model.onnx', data: Buffer.from('m') },
      { name: 'export/labels.txt', data: Buffer.from('a\nb') },
    ]);
    expect(readExportPackage(zip).labels).toEqual(['a', 'b']);
  });

  it('names the files it found when the model is missing', () => {
    const zip = writeStoredZip([{ name: 'labels.txt', data: Buffer.from('a') }]);
    expect(() => readExportPackage(zip)).toThrow('the Custom Vision export holds no model.onnx (files: labels.txt)');
  });
});
