/** Corners of an axis-aligned box: (x1, y1) top-left, (x2, y2) bottom-right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** One object found by the model, in pixels of the ORIGINAL image (not the model input). */
export interface Detection {
  label: string;
  classId: number;
  score: number;
  box: Box;
}
