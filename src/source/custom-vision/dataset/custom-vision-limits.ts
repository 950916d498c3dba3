/**
 * Custom Vision's documented limits for object-detection training data
 * (learn.microsoft.com/azure/ai-services/custom-vision-service/limits-and-quotas, S0 tier unless noted).
 */
export const CUSTOM_VISION_LIMITS = {
  /** "Max image size (training image upload): 6 MB". Read as MiB; the service reports ErrorImageSize past its own limit. */
  maxImageBytes: 6 * 1024 * 1024,
  /** "Min image height/width in pixels: 256 ... Images smaller than 256 pixels will be accepted but upscaled." */
  minImageSide: 256,
  maxImageSide: 10_240,
  /** "The image aspect ratio should not be larger than 25:1." */
  maxAspectRatio: 25,
  /** "Min labeled images per Tag, Object Detection (50+ recommended): 15". */
  minImagesPerTag: 15,
  recommendedImagesPerTag: 50,
  maxTagsPerProject: 500,
  maxTagsPerProjectFree: 50,
  /** "Max number of regions per image (object detection): 300". */
  maxRegionsPerImage: 300,
  maxImagesPerProject: 100_000,
  maxImagesPerProjectFree: 5_000,
} as const;
