import * as zlib from 'zlib';
import { MAX_EXPORT_ENTRY_BYTES, readExportPackage, readZip, ZipFormatError } from '../../../src/source/custom-vision/export-package';
import { writeZip } from '../../../testbed/custom-vision/zip-writer';

/** A one-entry deflated ZIP built by hand (APPNOTE 4.3.7 / 4.3.12 / 4.3.16), declaring `declaredSize`. */
function deflatedZip(name: string, data: Buffer, declaredSize = data.length): Buffer {
  const packed = zlib.deflateRawSync(data);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(zlib.crc32(data), 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(zlib.crc32(data), 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(declaredSize, 24);
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
  it('reads back what the test bed writer wrote', async () => {
    const zip = writeZip([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: 'dir/b.bin', data: Buffer.from([0, 1, 2, 255]) },
    ]);
    const files = await readZip(zip);
    expect(files.get('a.txt')?.toString()).toBe('alpha');
    expect([...(files.get('dir/b.bin') ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it('inflates deflated entries', async () => {
    const text = 'model bytes '.repeat(500);
    expect((await readZip(deflatedZip('model.onnx', Buffer.from(text)))).get('model.onnx')?.toString()).toBe(text);
  });

  it('refuses an entry declaring more than the cap before inflating it', async () => {
    const zip = deflatedZip('model.onnx', Buffer.alloc(10), MAX_EXPORT_ENTRY_BYTES + 1);
    await expect(readZip(zip)).rejects.toThrow(ZipFormatError);
    await expect(readZip(zip)).rejects.toThrow(`model.onnx unpacks to ${MAX_EXPORT_ENTRY_BYTES + 1} bytes, past the limit of 128 MiB`);
  });

  it('does not inflate an entry past its declared size (a zip bomb that lies about its size)', async () => {
    const zip = deflatedZip('model.onnx', Buffer.alloc(50_000_000), 1000);
    await expect(readZip(zip)).rejects.toThrow(ZipFormatError);
  });

  it('rejects an entry whose deflate stream is damaged', async () => {
    const zip = deflatedZip('labels.txt', Buffer.from('tree\n'.repeat(100)));
    zip[30 + 'labels.txt'.length] ^= 0xff;
    await expect(readZip(zip)).rejects.toThrow(ZipFormatError);
  });

  it('rejects data that is not a ZIP archive', async () => {
    await expect(readZip(Buffer.from('<Error><Code>AuthenticationFailed</Code></Error>'))).rejects.toThrow(/not a readable ZIP archive/);
  });
});

describe('readExportPackage', () => {
  it('follows the manifest to the model and labels, CRLF labels included', async () => {
    const zip = writeZip([
      { name: 'cvexport.manifest', data: Buffer.from(JSON.stringify({ ModelFileName: 'net.onnx', LabelFileName: 'classes.txt' })) },
      { name: 'net.onnx', data: Buffer.from('onnx') },
      { name: 'classes.txt', data: Buffer.from('\uFEFFcar\r\ntree\r\n') },
    ]);
    const pkg = await readExportPackage(zip);
    expect(pkg.model.toString()).toBe('onnx');
    expect(pkg.labels).toEqual(['car', 'tree']);
  });

  it('finds model.onnx and labels.txt in a subfolder when there is no manifest', async () => {
    const zip = writeZip([
      { name: 'export/model.onnx', data: Buffer.from('m') },
      { name: 'export/labels.txt', data: Buffer.from('a\nb') },
    ]);
    expect((await readExportPackage(zip)).labels).toEqual(['a', 'b']);
  });

  it('names the files it found when the model is missing', async () => {
    const zip = writeZip([{ name: 'labels.txt', data: Buffer.from('a') }]);
    await expect(readExportPackage(zip)).rejects.toThrow('the Custom Vision export holds no model.onnx (files: labels.txt)');
  });
});
