/** What other folders use from the test-model generator. */
export { OBJECT_COLOURS, pixelMatchesClass } from './object-colours';
export type { ObjectColour } from './object-colours';
export { drawScene, sceneToNchw } from './draw-scene';
export type { Scene, SceneObject } from './draw-scene';
export { detectNetV2Model, detectNetV2Names, DETECTNET_BBOX_NORM, DETECTNET_OFFSET, DETECTNET_STRIDE } from './detectnet-v2-model';
export type { DetectNetV2Options } from './detectnet-v2-model';
export {
  customVisionS1Model,
  genericDetectorModel,
  CUSTOM_VISION_S1_NAMES,
  CUSTOM_VISION_S1_SIZE,
  GENERIC_DETECTOR_NAMES,
} from './nms-detector-model';
export { CUSTOM_VISION_EXPORT_VARIANTS, customVisionImageMetadata, customVisionInputConvention } from './custom-vision-variants';
export type { CustomVisionExportVariant } from './custom-vision-variants';
export {
  customVisionCompactModel,
  CUSTOM_VISION_COMPACT_ANCHORS,
  CUSTOM_VISION_COMPACT_GRID,
  CUSTOM_VISION_COMPACT_NAMES,
  CUSTOM_VISION_COMPACT_SIZE,
} from './custom-vision-compact-model';
export {
  configPbtxtForCustomVisionCompact,
  configPbtxtForCustomVisionS1,
  configPbtxtForDetectNetV2,
  configPbtxtForGenericDetector,
  writeTritonRepository,
} from './triton-repository';
export type { WrittenRepository } from './triton-repository';
export { taoDetectNetSampleFiles, encodeJpeg, encodePng, SAMPLE_CLASSES, SAMPLE_MODEL_NAME, STREET_OBJECTS } from './tao-detectnet-sample';
