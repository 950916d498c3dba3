/**
 * The Custom Vision exports the test bed can generate: what each graph expects and what its ONNX
 * metadata claims, which need not agree, as in Microsoft's own references:
 *
 * - `documented`: what the metadata says is what the graph takes (S1 RGB 0..255, compact BGR 0..255),
 *   tx/ty through a sigmoid as the export's object_detection.py decodes them.
 * - `s1-metadata-0-1`: a General (compact) [S1] export whose metadata says Rgb8 / Normalized_0_1 while
 *   the graph takes 0..255, as elbruno/CustomVisionAndAzureFunctions CustomVision/DockerLinuxExported
 *   (app/metadata_properties.json says Normalized_0_1; its README "Pixel values need to be in the
 *   range of [0-255]" and app/predict.py feeds np.array(image, dtype=np.float32) unscaled).
 * - `bgr-graph`: metadata Rgb8 / NominalRange_0_255 but the graph takes BGR 0..255, as the guide's
 *   scorer sends every export (BGR 0..255 whatever the metadata says).
 * - `compact-raw-xy`: a General (compact) export whose tx/ty are the centre's offset in the cell as
 *   is, as Azure-Samples/customvision-export-samples samples/python/onnx/object_detection/predict.py
 *   decodes them (x = (tx + col) / width, no sigmoid).
 */
import type { InputLayout } from './detection-features';

export const CUSTOM_VISION_EXPORT_VARIANTS = ['documented', 's1-metadata-0-1', 'bgr-graph', 'compact-raw-xy'] as const;
export type CustomVisionExportVariant = (typeof CUSTOM_VISION_EXPORT_VARIANTS)[number];

export interface CustomVisionInputConvention {
  /** What the graph computes on. */
  layout: InputLayout;
  /** The ONNX metadata_props the export carries (ONNX MetadataProps.md image keys). */
  metadata: Record<string, string>;
}

/** Metadata the Custom Vision ONNX exports carry. */
export function customVisionImageMetadata(
  pixelFormat: 'Rgb8' | 'Bgr8',
  pixelRange: 'NominalRange_0_255' | 'Normalized_0_1' = 'NominalRange_0_255',
): Record<string, string> {
  return {
    'Image.BitmapPixelFormat': pixelFormat,
    'Image.ColorSpaceGamma': 'SRGB',
    'Image.NominalPixelRange': pixelRange,
  };
}

/** The input convention of an export of `signature` in `variant`. */
export function customVisionInputConvention(signature: 's1' | 'compact', variant: CustomVisionExportVariant): CustomVisionInputConvention {
  const documented = signature === 's1' ? 'RGB' : 'BGR';
  switch (variant) {
    case 's1-metadata-0-1':
      return { layout: { scale: 1, channelOrder: documented }, metadata: customVisionImageMetadata(documented === 'RGB' ? 'Rgb8' : 'Bgr8', 'Normalized_0_1') };
    case 'bgr-graph':
      return { layout: { scale: 1, channelOrder: 'BGR' }, metadata: customVisionImageMetadata('Rgb8') };
    default:
      return { layout: { scale: 1, channelOrder: documented }, metadata: customVisionImageMetadata(documented === 'RGB' ? 'Rgb8' : 'Bgr8') };
  }
}
