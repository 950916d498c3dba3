/**
 * What the test models "detect": class i is the set of pixels close to OBJECT_COLOURS[i].
 * A pixel matches when every channel that is 255 in the colour is > 150 and every channel
 * that is 0 is < 100 (in 0..255 units, after undoing the model's input scaling). The colours
 * differ in at least one channel, so a pixel matches at most one class; a background whose
 * channels all stay below 100 matches none.
 */
export interface ObjectColour {
  name: string;
  rgb: readonly [number, number, number];
}

export const OBJECT_COLOURS: readonly ObjectColour[] = [
  { name: 'red', rgb: [255, 0, 0] },
  { name: 'green', rgb: [0, 255, 0] },
  { name: 'blue', rgb: [0, 0, 255] },
  { name: 'yellow', rgb: [255, 255, 0] },
  { name: 'magenta', rgb: [255, 0, 255] },
  { name: 'cyan', rgb: [0, 255, 255] },
  { name: 'white', rgb: [255, 255, 255] },
];

export const HIGH_ABOVE = 150;
export const LOW_BELOW = 100;

/** True when the RGB pixel belongs to class `classIndex` (the rule the models implement). */
export function pixelMatchesClass(r: number, g: number, b: number, classIndex: number): boolean {
  const colour = OBJECT_COLOURS[classIndex].rgb;
  return [r, g, b].every((v, k) => (colour[k] > 127 ? v > HIGH_ABOVE : v < LOW_BELOW));
}

export function checkClassCount(classes: number): void {
  if (!Number.isInteger(classes) || classes < 1 || classes > OBJECT_COLOURS.length) {
    throw new RangeError(`classes must be an integer from 1 to ${OBJECT_COLOURS.length}, got ${classes}`);
  }
}
