/**
 * A Custom Vision export that inflates far past any sane model: model.onnx of `size` zero bytes,
 * deflated (about 1000:1) and streamed so the harness never holds it. Zip layout: APPNOTE 6.3.10
 * sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.16 (end record).
 */
import * as zlib from 'zlib';

const CHUNK = 16 * 1024 * 1024;

function deflateZeros(size: number): Promise<{ data: Buffer; crc: number }> {
  return new Promise((resolve, reject) => {
    const deflate = zlib.createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    deflate.on('data', (c: Buffer) => out.push(c));
    deflate.on('error', reject);
    const zeros = Buffer.alloc(CHUNK);
    let crc = 0;
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(CHUNK, left);
        const piece = n === CHUNK ? zeros : zeros.subarray(0, n);
        crc = zlib.crc32(piece, crc);
        left -= n;
        if (!deflate.write(piece)) return void deflate.once('drain', pump);
      }
      deflate.end();
    };
    deflate.on('end', () => resolve({ data: Buffer.concat(out), crc }));
    pump();
  });
}

interface Entry { name: string; data: Buffer; crc: number; size: number; method: number }

export async function zipBomb(size: number): Promise<Buffer> {
  const bomb = await deflateZeros(size);
  const labels = Buffer.from('stop-sign\ntree\n');
  const entries: Entry[] = [
    { name: 'labels.txt', data: labels, crc: zlib.crc32(labels), size: labels.length, method: 0 },
    { name: 'model.onnx', data: bomb.data, crc: bomb.crc, size, method: 8 },
  ];
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14); local.writeUInt32LE(e.data.length, 18); local.writeUInt32LE(e.size, 22); local.writeUInt16LE(name.length, 26);
    parts.push(local, name, e.data);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(e.method, 10);
    cd.writeUInt32LE(e.crc >>> 0, 16); cd.writeUInt32LE(e.data.length, 20); cd.writeUInt32LE(e.size, 24); cd.writeUInt16LE(name.length, 28); cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + e.data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}
