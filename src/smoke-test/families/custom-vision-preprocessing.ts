// How a picture becomes a Custom Vision export's input. Microsoft's references disagree (see
// docs/adr/010-custom-vision-preprocessing.md): the export's metadata, its README and scorers do not
// always name the same channel order and value range, so the smoke test can try the others.

import type { PixelConvention, PixelRange } from './family-contract';

export { XY_ACTIVATIONS, type PixelConvention, type XyActivation } from './family-contract';

/** Values of input 'custom-vision-preprocessing'; 'auto' is the export's ONNX metadata. */
export const CUSTOM_VISION_PREPROCESSINGS = ['auto', 'rgb-0-1', 'rgb-0-255', 'bgr-0-1', 'bgr-0-255'] as const;
export type CustomVisionPreprocessing = (typeof CUSTOM_VISION_PREPROCESSINGS)[number];

/** The four conventions the references show, in the order they are tried. */
const SEARCHED: readonly PixelConvention[] = [
  { pixelFormat: 'Rgb8', pixelRange: '0_255' },
  { pixelFormat: 'Rgb8', pixelRange: '0_1' },
  { pixelFormat: 'Bgr8', pixelRange: '0_255' },
  { pixelFormat: 'Bgr8', pixelRange: '0_1' },
];

/** 'rgb-0-255' for Rgb8 / 0_255: the value input 'custom-vision-preprocessing' takes. */
export function preprocessingName(c: PixelConvention): string {
  const range = c.pixelRange === '-1_1' ? '(-1)-1' : c.pixelRange.replace('_', '-');
  return `${c.pixelFormat === 'Bgr8' ? 'bgr' : 'rgb'}-${range}`;
}

/** The convention an explicit input value names. */
export function conventionOf(value: Exclude<CustomVisionPreprocessing, 'auto'>): PixelConvention {
  const found = SEARCHED.find((c) => preprocessingName(c) === value);
  if (!found) throw new Error(`unknown Custom Vision preprocessing '${value}'`);
  return found;
}

/** The conventions to try after `configured` found nothing: every searched one but itself. */
export function otherConventions(configured: PixelConvention): PixelConvention[] {
  return SEARCHED.filter((c) => c.pixelFormat !== configured.pixelFormat || c.pixelRange !== configured.pixelRange);
}

const METADATA_RANGES: Record<string, PixelRange> = {
  NominalRange_0_255: '0_255',
  Normalized_0_1: '0_1',
  Normalized_1_1: '-1_1',
};

/**
 * What an export's ONNX metadata_props claim (Image.BitmapPixelFormat, Image.NominalPixelRange;
 * onnx/docs/MetadataProps.md): what 'auto' sends. Missing or unknown values stay undefined.
 */
export function conventionFromMetadata(metadata: Record<string, string>): Partial<PixelConvention> {
  const format = metadata['Image.BitmapPixelFormat'];
  const range = metadata['Image.NominalPixelRange'];
  return {
    pixelFormat: format === 'Rgb8' || format === 'Bgr8' ? format : undefined,
    pixelRange: range ? METADATA_RANGES[range] : undefined,
  };
}
