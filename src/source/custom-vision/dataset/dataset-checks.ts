/** Pure checks of annotated images against Custom Vision's limits; every problem names its file and line. */
import { UserInputError } from '../../../errors';
import type { AnnotatedImage, SourceLocation } from './annotations';
import { CUSTOM_VISION_LIMITS as LIMITS } from './custom-vision-limits';
import type { ImageHeader } from '../../../image-header';

/** A region as Custom Vision takes it: fractions of the image's width and height, top-left origin. */
export interface NormalizedRegion {
  tag: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Boxes may overrun the image by up to this many pixels (rounding in labelling tools); they are clamped. */
const EDGE_TOLERANCE_PX = 1;

export interface ImageCheckResult {
  problems: UserInputError[];
  warnings: string[];
  regions: NormalizedRegion[];
}

function where(at: SourceLocation): string {
  return at.line ? `${at.file}:${at.line}` : at.file;
}

function problemAt(at: SourceLocation, message: string): UserInputError {
  return new UserInputError(`${where(at)}: ${message}`, { file: at.file, line: at.line });
}

/** Checks one image's file facts and boxes; `imagePath` is the file found for it. */
export function checkImage(image: AnnotatedImage, imagePath: string, header: ImageHeader): ImageCheckResult {
  const result: ImageCheckResult = { problems: [], warnings: [], regions: [] };
  const { width: W, height: H } = header;
  const fileProblem = (message: string): void => {
    result.problems.push(new UserInputError(`${imagePath}: ${message} (listed at ${where(image.at)})`, { file: imagePath }));
  };
  if (W === 0 || H === 0) {
    fileProblem(`the ${header.format.toUpperCase()} header says ${W}x${H} pixels; expected a non-empty image`);
    return result;
  }
  if (Math.max(W, H) > LIMITS.maxImageSide) {
    fileProblem(`is ${W}x${H} pixels; Custom Vision accepts at most ${LIMITS.maxImageSide} pixels per side`);
  }
  if (Math.max(W, H) / Math.min(W, H) > LIMITS.maxAspectRatio) {
    fileProblem(`is ${W}x${H} pixels, an aspect ratio over ${LIMITS.maxAspectRatio}:1, which Custom Vision does not accept`);
  }
  if (Math.min(W, H) < LIMITS.minImageSide) {
    result.warnings.push(
      `${imagePath}: ${W}x${H} pixels is under Custom Vision's ${LIMITS.minImageSide}-pixel minimum side; the service will upscale it`,
    );
  }
  if (image.declaredSize && (image.declaredSize.width !== W || image.declaredSize.height !== H)) {
    result.problems.push(
      problemAt(
        image.at,
        `"${image.name}" is declared ${image.declaredSize.width}x${image.declaredSize.height} but the file ${imagePath} is ${W}x${H} pixels; ` +
          'expected the annotation to match the image (boxes may be in the wrong scale)',
      ),
    );
    return result;
  }
  if (image.objects.length > LIMITS.maxRegionsPerImage) {
    result.problems.push(
      problemAt(image.at, `"${image.name}" has ${image.objects.length} boxes; Custom Vision takes at most ${LIMITS.maxRegionsPerImage} per image`),
    );
  }
  for (const obj of image.objects) {
    const { x, y, width, height } = obj.box;
    if (!(width > 0 && height > 0)) {
      result.problems.push(problemAt(obj.at, `the "${obj.tag}" box in "${image.name}" is empty (${width}x${height} pixels); expected a positive width and height`));
      continue;
    }
    const t = EDGE_TOLERANCE_PX;
    if (x < -t || y < -t || x + width > W + t || y + height > H + t) {
      result.problems.push(
        problemAt(
          obj.at,
          `the "${obj.tag}" box in "${image.name}" (x ${x}..${x + width}, y ${y}..${y + height}) lies outside the ${W}x${H} image`,
        ),
      );
      continue;
    }
    result.regions.push(normalizeBox(obj.tag, x, y, width, height, W, H));
  }
  return result;
}

/** Clamps a pixel box to the image and converts it to fractions, rounded to 1e-6 so both formats agree exactly. */
export function normalizeBox(tag: string, x: number, y: number, width: number, height: number, W: number, H: number): NormalizedRegion {
  const x1 = Math.max(0, x);
  const y1 = Math.max(0, y);
  const x2 = Math.min(W, x + width);
  const y2 = Math.min(H, y + height);
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  return { tag, left: r(x1 / W), top: r(y1 / H), width: r((x2 - x1) / W), height: r((y2 - y1) / H) };
}

/** Project-level checks: images per tag, number of tags and images. */
export function checkTagCounts(
  imagesPerTag: Map<string, number>,
  imageCount: number,
  annotationFile: string,
): { problems: UserInputError[]; warnings: string[] } {
  const problems: UserInputError[] = [];
  const warnings: string[] = [];
  for (const [tag, count] of [...imagesPerTag].sort((a, b) => a[1] - b[1])) {
    if (count < LIMITS.minImagesPerTag) {
      problems.push(
        new UserInputError(
          `${annotationFile}: tag "${tag}" is on ${count} image(s); Custom Vision object detection needs at least ` +
            `${LIMITS.minImagesPerTag} images per tag (${LIMITS.recommendedImagesPerTag}+ recommended)`,
          { file: annotationFile },
        ),
      );
    }
  }
  if (imagesPerTag.size > LIMITS.maxTagsPerProject) {
    problems.push(
      new UserInputError(`${annotationFile}: ${imagesPerTag.size} tags; a Custom Vision project holds at most ${LIMITS.maxTagsPerProject}`, {
        file: annotationFile,
      }),
    );
  } else if (imagesPerTag.size > LIMITS.maxTagsPerProjectFree) {
    warnings.push(`${imagesPerTag.size} tags: more than the free (F0) tier's ${LIMITS.maxTagsPerProjectFree}; an S0 resource is needed`);
  }
  if (imageCount > LIMITS.maxImagesPerProject) {
    problems.push(
      new UserInputError(`${annotationFile}: ${imageCount} images; a Custom Vision project holds at most ${LIMITS.maxImagesPerProject}`, {
        file: annotationFile,
      }),
    );
  } else if (imageCount > LIMITS.maxImagesPerProjectFree) {
    warnings.push(`${imageCount} images: more than the free (F0) tier's ${LIMITS.maxImagesPerProjectFree}; an S0 resource is needed`);
  }
  return { problems, warnings };
}
