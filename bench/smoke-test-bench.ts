/**
 * Benchmark 3: the smoke test's CPU work per image, without the network or the model: decode the
 * bundled 1248x384 PNG and JPEG, resize, build the FP32 NCHW input, encode the KServe request (binary
 * extension vs JSON), decode DetectNet_v2 outputs with DBSCAN clustering, annotate, encode the PNG.
 */
import * as fs from 'fs';
import * as path from 'path';
import { annotate } from '../src/smoke-test/annotate';
import { loadClusteringConfig } from '../src/smoke-test/clustering-config';
import { detectNetV2Family } from '../src/smoke-test/families/detectnet-v2';
import type { DecodeOptions, ModelSignature } from '../src/smoke-test/families/model-family';
import { decodeImage, encodePng } from '../src/smoke-test/image-codec';
import { encodeInferRequest } from '../src/smoke-test/kserve-tensor-codec';
import { resizeBilinear } from '../src/smoke-test/resize';
import { LABELS, MODEL_HEIGHT, MODEL_WIDTH, candidateCount, detectNetOutputs } from './detectnet-grid';
import { mb, medianMs } from './measurement';
import type { BenchRow } from './result-table';

const SAMPLE = path.resolve(__dirname, '..', 'samples', 'tao-detectnet-v2');
export const PER_IMAGE_TARGET_MS = 200;

const SIGNATURE: ModelSignature = {
  name: 'detectnet_tao',
  inputs: [{ name: 'input_1', datatype: 'FP32', shape: [-1, 3, MODEL_HEIGHT, MODEL_WIDTH] }],
  outputs: [
    { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [-1, 12, 24, 78] },
    { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [-1, 3, 24, 78] },
  ],
};

export async function benchSmokeTest(log: (s: string) => void): Promise<BenchRow[]> {
  const pngBytes = fs.readFileSync(path.join(SAMPLE, 'images', 'street.png'));
  const jpegBytes = fs.readFileSync(path.join(SAMPLE, 'images', 'street.jpg'));
  const clusteringFile = path.join(SAMPLE, 'clustering_config_detectnet.prototxt');
  const options: DecodeOptions = {
    scoreThreshold: 0.5,
    labels: LABELS,
    clustering: loadClusteringConfig(fs.readFileSync(clusteringFile, 'utf8'), clusteringFile),
  };
  const image = decodeImage(pngBytes, 'street.png');
  if (image.width !== MODEL_WIDTH || image.height !== MODEL_HEIGHT) throw new Error(`street.png is ${image.width}x${image.height}; expected 1248x384`);
  const camera = resizeBilinear(image, 1920, 1080);
  const prepared = detectNetV2Family.prepare(image, SIGNATURE, options);
  const typical = detectNetOutputs('typical');
  const dense = detectNetOutputs('dense');
  const found = prepared.decode(typical).detections;
  const threshold = options.clustering!.classes.get('car')!.coverageThreshold;
  log(`  typical grid: ${candidateCount(typical, threshold)} candidate cells -> ${found.length} detections; dense grid: ${candidateCount(dense, threshold)} candidate cells`);
  const annotated = annotate(image, found);
  const binary = encodeInferRequest(prepared.inputs, prepared.outputNames, true);
  const json = encodeInferRequest(prepared.inputs, prepared.outputNames, false);

  const t = {
    png: await medianMs(() => decodeImage(pngBytes, 'street.png'), 10),
    jpeg: await medianMs(() => decodeImage(jpegBytes, 'street.jpg'), 10),
    resize: await medianMs(() => resizeBilinear(camera, MODEL_WIDTH, MODEL_HEIGHT), 10),
    prepare: await medianMs(() => detectNetV2Family.prepare(image, SIGNATURE, options), 10),
    binary: await medianMs(() => encodeInferRequest(prepared.inputs, prepared.outputNames, true), 10),
    json: await medianMs(() => encodeInferRequest(prepared.inputs, prepared.outputNames, false), 3, 1),
    typical: await medianMs(() => prepared.decode(typical), 20),
    dense: await medianMs(() => prepared.decode(dense), 3, 1),
    annotate: await medianMs(() => annotate(image, found), 10),
    encodePng: await medianMs(() => encodePng(annotated), 5, 1),
  };
  const perImage = t.png + t.prepare + t.binary + t.typical + t.annotate + t.encodePng;
  const ms = (measure: string, value: number, target?: string, meets?: boolean): BenchRow => ({ area: 'smoke-test', measure, value, unit: 'ms', ...(target ? { target, meets } : {}) });
  return [
    ms('decode 1248x384 PNG (median of 10)', t.png),
    ms('decode 1248x384 JPEG (median of 10)', t.jpeg),
    ms('resize 1920x1080 -> 1248x384 bilinear', t.resize),
    ms('prepare FP32 NCHW input (1248x384, no resize)', t.prepare),
    { area: 'smoke-test', measure: 'request size, binary extension', value: mb(binary.body.length), unit: 'MiB', digits: 2 },
    { area: 'smoke-test', measure: 'request size, JSON', value: mb(json.body.length), unit: 'MiB', digits: 2 },
    ms('encode request, binary extension', t.binary, '< 10 ms', t.binary < 10),
    ms('encode request, JSON', t.json),
    ms(`DetectNet_v2 decode + DBSCAN, typical grid (${found.length} detections)`, t.typical, '< 20 ms', t.typical < 20),
    ms('DetectNet_v2 decode + DBSCAN, dense grid (every cell)', t.dense, '< 1000 ms', t.dense < 1000),
    ms('annotate', t.annotate),
    ms('encodePng of the annotated image', t.encodePng),
    ms('per image: PNG decode + prepare + binary encode + decode + annotate + PNG', perImage, `< ${PER_IMAGE_TARGET_MS} ms`, perImage < PER_IMAGE_TARGET_MS),
  ];
}
