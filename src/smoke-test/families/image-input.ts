// Turns a picture into a model's image input tensor.

import { resizeBilinear } from '../resize';
import { RgbImage } from '../rgb-image';
import { Tensor, TensorDatatype, floatToHalf } from '../tensors';
import type { PixelFormat, PixelRange, TensorSignature } from './family-contract';

export interface ImageInputLayout {
  layout: 'NCHW' | 'NHWC';
  /** The signature has a batch dimension (rank 4); we send a batch of one. */
  batched: boolean;
  /** -1 when the model accepts any size. */
  height: number;
  width: number;
}

/** Reads [N,]3,H,W or [N,]H,W,3 from an input's shape; undefined if it is not a 3-channel image. */
export function imageInputLayout(shape: readonly number[]): ImageInputLayout | undefined {
  if (shape.length !== 3 && shape.length !== 4) return undefined;
  const batched = shape.length === 4;
  const [a, b, c] = shape.slice(batched ? 1 : 0);
  if (a === 3) return { layout: 'NCHW', batched, height: b, width: c };
  if (c === 3) return { layout: 'NHWC', batched, height: a, width: b };
  return undefined;
}

export interface ImageTensorSpec {
  input: TensorSignature;
  layout: ImageInputLayout;
  /** The model's input size (already resolved where the model accepts any size). */
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  pixelRange: PixelRange;
}

/** Resizes (plain, aspect not kept) and lays the pixels out as the model wants them. */
export function imageTensor(image: RgbImage, spec: ImageTensorSpec): Tensor {
  const { width, height } = spec;
  const resized = resizeBilinear(image, width, height);
  const datatype = spec.input.datatype as TensorDatatype;
  const n = width * height;
  const values = datatype === 'UINT8' ? new Uint8Array(n * 3) : new Float32Array(n * 3);
  const [scale, offset] = datatype === 'UINT8' ? [1, 0] : rangeTransform(spec.pixelRange);
  const bgr = spec.pixelFormat === 'Bgr8';
  const src = resized.data;
  const nchw = spec.layout.layout === 'NCHW';
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = src[p * 3 + (bgr ? 2 - c : c)] * scale + offset;
      values[nchw ? c * n + p : p * 3 + c] = v;
    }
  }
  const dims = nchw ? [3, height, width] : [height, width, 3];
  const shape = spec.layout.batched ? [1, ...dims] : dims;
  if (datatype === 'FP16') {
    return { name: spec.input.name, datatype, shape, data: Uint16Array.from(values, floatToHalf) };
  }
  if (datatype !== 'FP32' && datatype !== 'UINT8') {
    throw new Error(`input '${spec.input.name}' has datatype ${datatype}; an image input must be FP32, FP16 or UINT8`);
  }
  return { name: spec.input.name, datatype, shape, data: values };
}

function rangeTransform(range: PixelRange): [number, number] {
  if (range === '0_1') return [1 / 255, 0];
  if (range === '-1_1') return [1 / 127.5, -1];
  return [1, 0];
}

/** The size to send: the model's fixed size, or `fallback` for a dimension the model leaves open. */
export function resolvedSize(layout: ImageInputLayout, fallback: { width: number; height: number }): { width: number; height: number } {
  return {
    width: layout.width > 0 ? layout.width : fallback.width,
    height: layout.height > 0 ? layout.height : fallback.height,
  };
}
