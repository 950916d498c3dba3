import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import * as zlib from 'zlib';
import { UserInputError } from '../../../src/errors';
import { MAX_IMAGE_PIXELS, checkImageFile, decodeImage, encodePng } from '../../../src/smoke-test/image-codec';
import { RgbImage } from '../../../src/smoke-test/rgb-image';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([x * 10, y * 20, 200], (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** A PNG built chunk by chunk, for colour types pngjs cannot write (palette). */
function handMadePng(ihdr: Buffer, extraChunks: [string, Buffer][], raw: Buffer): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([len, typed, crc]);
  };
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extraChunks.map(([t, b]) => chunk(t, b)),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = bitDepth;
  b[9] = colorType;
  return b;
}

describe('decodeImage', () => {
  it('reads back exactly what encodePng wrote', () => {
    const img = gradient(7, 5);
    const back = decodeImage(encodePng(img), 'in.png');
    expect(back.width).toBe(7);
    expect(back.height).toBe(5);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('decodes a JPEG to RGB close to the original colours', () => {
    const width = 16;
    const height = 16;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([200, 40, 90, 255], i * 4);
    const bytes = jpeg.encode({ width, height, data: rgba }, 95).data;
    const img = decodeImage(bytes, 'photo.jpg');
    expect([img.width, img.height, img.data.length]).toEqual([16, 16, 16 * 16 * 3]);
    const [r, g, b] = img.data.subarray(8 * 3 * 16, 8 * 3 * 16 + 3);
    expect(Math.abs(r - 200)).toBeLessThanOrEqual(4);
    expect(Math.abs(g - 40)).toBeLessThanOrEqual(4);
    expect(Math.abs(b - 90)).toBeLessThanOrEqual(4);
  });

  it('composites PNG transparency on black', () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data = Buffer.from([255, 255, 255, 0, 200, 100, 50, 128]);
    const img = decodeImage(PNG.sync.write(png), 'alpha.png');
    expect([...img.data]).toEqual([0, 0, 0, 100, 50, 25]);
  });

  it('reads 16-bit PNGs as 8-bit', () => {
    const raw = Buffer.from([0, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00]); // filter 0, R=65535 G=32768 B=0
    const img = decodeImage(handMadePng(ihdr(1, 1, 16, 2), [], raw), 'deep.png');
    expect(img.data[0]).toBe(255);
    expect(Math.abs(img.data[1] - 128)).toBeLessThanOrEqual(1);
    expect(img.data[2]).toBe(0);
  });

  it('reads palette PNGs, with palette transparency composited on black', () => {
    const plte = Buffer.from([10, 20, 30, 250, 0, 0]);
    const trns = Buffer.from([255, 0]);
    const raw = Buffer.from([0, 0, 1]); // filter 0, indices 0 and 1
    const img = decodeImage(handMadePng(ihdr(2, 1, 8, 3), [['PLTE', plte], ['tRNS', trns]], raw), 'palette.png');
    expect([...img.data]).toEqual([10, 20, 30, 0, 0, 0]);
  });

  it('reads greyscale PNGs as grey RGB', () => {
    const img = decodeImage(handMadePng(ihdr(1, 1, 8, 0), [], Buffer.from([0, 77])), 'grey.png');
    expect([...img.data]).toEqual([77, 77, 77]);
  });

  it.each([
    ['a GIF', Buffer.from('GIF89a....')],
    ['an empty file', Buffer.alloc(0)],
    ['a text file', Buffer.from('hello')],
  ])('refuses %s, naming the file and what was expected', (_what, bytes) => {
    const err = captureError(() => decodeImage(bytes, 'images/test.gif'));
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toContain('images/test.gif');
    expect(err.message).toMatch(/expected a JPEG .* or PNG/);
    expect((err as UserInputError).where.file).toBe('images/test.gif');
  });

  it('names the file when a PNG is truncated', () => {
    const bytes = encodePng(gradient(20, 20));
    const err = captureError(() => decodeImage(bytes.subarray(0, bytes.length - 30), 'cut.png'));
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/^cut\.png: the PNG data is corrupt/);
  });

  it('names the file when JPEG data is corrupt', () => {
    const rgba = Buffer.alloc(32 * 32 * 4, 128);
    const bytes = Buffer.from(jpeg.encode({ width: 32, height: 32, data: rgba }, 90).data);
    const broken = Buffer.concat([bytes.subarray(0, 20), Buffer.alloc(40, 0xff), bytes.subarray(60, 80)]);
    const err = captureError(() => decodeImage(broken, 'broken.jpg'));
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toContain('broken.jpg');
  });

  it('refuses huge dimensions from the header, before decoding', () => {
    const side = Math.ceil(Math.sqrt(MAX_IMAGE_PIXELS)) + 1;
    const bytes = handMadePng(ihdr(side, side, 8, 2), [], Buffer.alloc(1));
    const err = captureError(() => decodeImage(bytes, 'huge.png'));
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toContain(`huge.png: the image is ${side}x${side} pixels`);
  });

  it('refuses a JPEG whose frame header declares huge dimensions', () => {
    const rgba = Buffer.alloc(8 * 8 * 4, 128);
    const bytes = Buffer.from(jpeg.encode({ width: 8, height: 8, data: rgba }, 90).data);
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    bytes.writeUInt16BE(60000, sof + 5);
    bytes.writeUInt16BE(60000, sof + 7);
    const err = captureError(() => decodeImage(bytes, 'huge.jpg'));
    expect(err.message).toContain('huge.jpg: the image is 60000x60000 pixels');
  });
});

describe('checkImageFile', () => {
  const jpg = () => Buffer.from(jpeg.encode({ width: 32, height: 24, data: Buffer.alloc(32 * 24 * 4, 90) }, 90).data);
  const png = () => encodePng(gradient(20, 10));
  /** An EXIF-style APP1 segment holding a complete thumbnail JPEG, placed right after SOI. */
  const withThumbnail = (main: Buffer): Buffer => {
    const thumb = jpg();
    const len = Buffer.alloc(2);
    len.writeUInt16BE(2 + 6 + thumb.length);
    return Buffer.concat([main.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, Buffer.from('Exif\0\0', 'latin1'), thumb, main.subarray(2)]);
  };
  const sof = (b: Buffer) => b.indexOf(Buffer.from([0xff, 0xc0]));

  it.each<[string, () => Buffer]>([
    ['a PNG', png],
    ['a baseline JPEG', jpg],
    ['a JPEG with an EXIF thumbnail', () => withThumbnail(jpg())],
    ['a JPEG followed by a trailer (motion photo)', () => Buffer.concat([jpg(), Buffer.from('ftypmp42....')])],
  ])('accepts %s', (_what, bytes) => {
    expect(checkImageFile(bytes(), 'ok')).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
  });

  it.each<[string, () => Buffer, RegExp]>([
    ['a text file named .png', () => Buffer.from('not a picture at all\n'), /^x: not a JPEG or PNG image \(first bytes: 6e 6f 74/],
    ['a GIF', () => Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), /^x: not a JPEG or PNG image/],
    ['a PNG cut before its IEND chunk', () => png().subarray(0, png().length - 12), /^x: the PNG file is truncated \(the IEND chunk is missing/],
    ['a PNG cut inside IHDR', () => png().subarray(0, 20), /^x: the PNG header is truncated or corrupt/],
    ['a JPEG cut in its scan data', () => jpg().subarray(0, jpg().length - 40), /^x: the JPEG file is truncated \(the end-of-image marker \(FF D9\) is missing/],
    ['a JPEG cut before its frame header', () => jpg().subarray(0, 30), /^x: the JPEG header is truncated or corrupt/],
    ['a cut JPEG whose thumbnail has an end marker', () => withThumbnail(jpg().subarray(0, jpg().length - 40)), /^x: the JPEG file is truncated/],
    ['a 12000x12000 PNG', () => handMadePng(ihdr(12000, 12000, 8, 0), [], Buffer.alloc(1)), /^x: the image is 12000x12000 pixels \(144\.0 MP\); expected at most 40 MP/],
    [
      'a 12000x12000 JPEG',
      () => {
        const b = jpg();
        b.writeUInt16BE(12000, sof(b) + 5);
        b.writeUInt16BE(12000, sof(b) + 7);
        return b;
      },
      /^x: the image is 12000x12000 pixels/,
    ],
    [
      'an arithmetic-coded JPEG',
      () => {
        const b = jpg();
        b[sof(b) + 1] = 0xc9;
        return b;
      },
      /^x: the JPEG uses coding SOF9 .*; expected a baseline or progressive JPEG/,
    ],
    ['a PNG with an impossible bit depth', () => handMadePng(ihdr(1, 1, 3, 2), [], Buffer.from([0, 1, 2, 3])), /^x: the PNG header is corrupt \(bit depth 3, colour type 2\)/],
  ])('refuses %s before decoding, naming the file', (_what, bytes, message) => {
    const err = captureError(() => checkImageFile(bytes(), 'x'));
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(message);
    expect((err as UserInputError).where.file).toBe('x');
  });
});

function captureError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
