// A 5x7 pixel font for printable ASCII (32-126), drawn for this project.
// Each glyph is 7 rows of 2 hex digits, top to bottom; bit 4 (0x10) is the leftmost column.

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

// prettier-ignore
const GLYPHS: readonly string[] = [
  // space  !                 "                 #                 $                 %                 &                 '
  '00000000000000', '04040404040004', '0a0a0000000000', '0a0a1f0a1f0a0a', '040f140e051e04', '18190204081303', '0c121408151209', '04040000000000',
  // (                )                 *                 +                 ,                 -                 .                 /
  '02040808080402', '08040202020408', '0004150e150400', '0004041f040400', '000000000c0408', '0000001f000000', '00000000000c0c', '00010204081000',
  // 0                1                 2                 3                 4                 5                 6                 7
  '0e11131519110e', '040c040404040e', '0e11010204081f', '1f02040201110e', '02060a121f0202', '1f101e0101110e', '0608101e11110e', '1f010204080808',
  // 8                9                 :                 ;                 <                 =                 >                 ?
  '0e11110e11110e', '0e11110f01020c', '000c0c000c0c00', '000c0c000c0408', '02040810080402', '00001f001f0000', '08040201020408', '0e110102040004',
  // @                A                 B                 C                 D                 E                 F                 G
  '0e11010d15150e', '0e1111111f1111', '1e11111e11111e', '0e11101010110e', '1c12111111121c', '1f10101e10101f', '1f10101e101010', '0e11101711110f',
  // H                I                 J                 K                 L                 M                 N                 O
  '1111111f111111', '0e04040404040e', '0702020202120c', '11121418141211', '1010101010101f', '111b1515111111', '11111915131111', '0e11111111110e',
  // P                Q                 R                 S                 T                 U                 V                 W
  '1e11111e101010', '0e11111115120d', '1e11111e141211', '0f10100e01011e', '1f040404040404', '1111111111110e', '11111111110a04', '1111111515150a',
  // X                Y                 Z                 [                 \                 ]                 ^                 _
  '11110a040a1111', '1111110a040404', '1f01020408101f', '0e08080808080e', '00100804020100', '0e02020202020e', '040a1100000000', '0000000000001f',
  // `                a                 b                 c                 d                 e                 f                 g
  '08040200000000', '00000e010f110f', '1010161911111e', '00000e1010110e', '01010d1311110f', '00000e111f100e', '0609081c080808', '000f11110f010e',
  // h                i                 j                 k                 l                 m                 n                 o
  '10101619111111', '04000c0404040e', '0200060202120c', '10101214181412', '0c04040404040e', '00001a15151111', '00001619111111', '00000e1111110e',
  // p                q                 r                 s                 t                 u                 v                 w
  '00001e111e1010', '00000d130f0101', '00001619101010', '00000e100e011e', '08081c08080906', '0000111111130d', '00001111110a04', '0000111115150a',
  // x                y                 z                 {                 |                 }                 ~
  '0000110a040a11', '000011110f010e', '00001f0204081f', '02040408040402', '04040404040404', '08040402040408', '00000815020000',
];

const FONT: Uint8Array[] = GLYPHS.map((hex) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)));

/** The 7 row bitmaps of a character; '?' for anything outside printable ASCII. */
export function glyph(ch: string): Uint8Array {
  const code = ch.charCodeAt(0);
  return FONT[(code >= 32 && code <= 126 ? code : 63) - 32];
}

/** Number of glyphs and whether each has 7 rows of 5 bits (for tests). */
export function fontShape(): { glyphs: number; wellFormed: boolean } {
  return { glyphs: FONT.length, wellFormed: FONT.every((g) => g.length === GLYPH_HEIGHT && g.every((row) => row < 32)) };
}
