/** What the COCO and VOC readers produce: annotations as written, before the files are checked. */
import type { UserInputError } from '../../../errors';

export type DatasetFormat = 'coco' | 'voc';

export interface SourceLocation {
  file: string;
  line?: number;
}

/** Top-left corner and size in pixels of the original image. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface AnnotatedObject {
  tag: string;
  box: PixelBox;
  at: SourceLocation;
}

export interface AnnotatedImage {
  /** The image's name as the annotation file writes it. */
  name: string;
  /** Paths where the image may be, most likely first; the first that exists is used. */
  candidates: string[];
  declaredSize?: { width: number; height: number };
  objects: AnnotatedObject[];
  at: SourceLocation;
}

export interface ParsedAnnotations {
  format: DatasetFormat;
  images: AnnotatedImage[];
  problems: UserInputError[];
  warnings: string[];
}
