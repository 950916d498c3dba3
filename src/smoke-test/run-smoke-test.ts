// The smoke-test stage: sends each test image through the deployed model and passes only when every
// image yields enough confident detections. Annotated PNGs are written for the job summary.
import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../errors';
import { Log } from '../log';
import { annotate } from './annotate';
import { ClusteringConfig } from './clustering-config';
import { Detection } from './detection';
import { DecodeOptions, FamilyId, ModelFamily, ModelSignature, pickFamily } from './families/model-family';
import { decodeImage, encodePng } from './image-codec';
import { KServeClient, KServeRequestError } from './kserve-client';
import { RgbImage } from './rgb-image';

export interface SmokeTestSettings {
  /** JPEG/PNG file paths. */
  images: string[];
  /** Default: the only (or first ready) model the server lists. */
  modelName?: string;
  family: FamilyId | 'auto';
  minDetections: number;
  scoreThreshold: number;
  labels: string[];
  clustering?: ClusteringConfig;
  pixelFormat?: 'Rgb8' | 'Bgr8';
  pixelRange?: '0_255' | '0_1' | '-1_1';
  generic?: DecodeOptions['generic'];
  protocol: 'binary' | 'json';
  readyTimeoutMs: number;
  requestTimeoutMs: number;
  outputDir: string;
  /** Retries of metadata and inference requests; default 4 tries from 1 s. */
  retry?: { attempts: number; baseDelayMs: number };
}

export interface SmokeTestTarget {
  baseUrl: string;
  key: string;
  deployment?: string;
  /** Tests only: real runs trust a private CA through NODE_EXTRA_CA_CERTS. */
  ca?: Buffer;
}

export interface ImageResult {
  image: string;
  detections: Detection[];
  topRawScores: { label: string; score: number }[];
  /** Path of the annotated PNG written. */
  annotatedPng: string;
  durationMs: number;
  /** The deployment that answered, when the endpoint named it (a request routed by the traffic split). */
  answeredBy?: string;
}

export interface SmokeTestResult {
  passed: boolean;
  family: FamilyId;
  model: string;
  images: ImageResult[];
  totalDetections: number;
  failure?: string;
}

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 1000 };

export async function runSmokeTest(target: SmokeTestTarget, settings: SmokeTestSettings, log: Log): Promise<SmokeTestResult> {
  const client = new KServeClient({
    baseUrl: target.baseUrl,
    key: target.key,
    deployment: target.deployment,
    timeoutMs: settings.requestTimeoutMs,
    retry: settings.retry ?? DEFAULT_RETRY,
    log,
    ca: target.ca,
  });
  try {
    const images = await readImagesWhileWaitingForReady(client, settings);
    const model = settings.modelName ?? (await onlyServedModel(client));
    const [metadata, config] = await Promise.all([
      client.modelMetadata(model),
      client.modelConfig(model).catch((e: Error) => {
        log.debug(`model configuration not available: ${e.message}`);
        return undefined;
      }),
    ]);
    const sig: ModelSignature = { name: metadata.name, inputs: metadata.inputs, outputs: metadata.outputs };
    const decodeOptions: DecodeOptions = {
      scoreThreshold: settings.scoreThreshold,
      labels: settings.labels,
      clustering: settings.clustering,
      pixelFormat: settings.pixelFormat,
      pixelRange: settings.pixelRange,
      generic: settings.generic,
    };
    const family = pickFamily(sig, settings.family, decodeOptions);
    const batching = config && typeof config.max_batch_size === 'number' ? `, max_batch_size ${config.max_batch_size}` : '';
    log.info(`model '${model}' (${metadata.platform}${batching}): ${family.id} family, ${settings.protocol} protocol`);

    await fs.promises.mkdir(settings.outputDir, { recursive: true });
    const outputNames = annotatedFileNames(settings.images);
    const results: ImageResult[] = [];
    // One request at a time: Azure ML's max_concurrent_requests_per_instance defaults to 1.
    for (const [i, file] of settings.images.entries()) {
      const result = await scoreImage(client, model, family, sig, decodeOptions, settings, file, images[i], path.join(settings.outputDir, outputNames[i]));
      log.info(describeImageResult(result, settings.scoreThreshold));
      results.push(result);
    }
    return smokeTestVerdict(family.id, model, results, settings);
  } finally {
    client.close();
  }
}

/** Reading and decoding the images overlaps the ready wait; bad images stop the wait at once. */
async function readImagesWhileWaitingForReady(client: KServeClient, settings: SmokeTestSettings): Promise<RgbImage[]> {
  const abort = new AbortController();
  const ready = client.waitUntilReady(Date.now() + settings.readyTimeoutMs, abort.signal);
  const images = Promise.all(settings.images.map(async (file) => decodeImage(await readImageFile(file), file)));
  try {
    const [decoded] = await Promise.all([images, ready]);
    return decoded;
  } catch (e) {
    abort.abort(e);
    await ready.catch(() => undefined);
    throw e;
  }
}

async function readImageFile(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    throw new UserInputError(`smoke-test image ${file} cannot be read: ${(e as Error).message}`, { input: 'smoke-test-images', file });
  }
}

async function onlyServedModel(client: KServeClient): Promise<string> {
  let index;
  try {
    index = await client.repositoryIndex();
  } catch (e) {
    const why = e instanceof KServeRequestError ? e.message : String(e);
    throw new UserInputError(`cannot list the endpoint's models to pick one (${why}); set input 'model-name'`, { input: 'model-name' });
  }
  const ready = index.filter((m) => m.state === undefined || m.state === 'READY');
  if (ready.length === 0) {
    const listed = index.map((m) => `${m.name} ${m.state ?? ''}${m.reason ? ` (${m.reason})` : ''}`).join('; ');
    throw new Error(`the endpoint serves no ready model (models: ${listed || 'none'})`);
  }
  return ready[0].name;
}

async function scoreImage(
  client: KServeClient,
  model: string,
  family: ModelFamily,
  sig: ModelSignature,
  decodeOptions: DecodeOptions,
  settings: SmokeTestSettings,
  file: string,
  image: RgbImage,
  annotatedPng: string,
): Promise<ImageResult> {
  const started = Date.now();
  const prepared = family.prepare(image, sig, decodeOptions);
  const outputs = await client.infer(model, prepared.inputs, prepared.outputNames, { binary: settings.protocol === 'binary' });
  const decoded = prepared.decode(outputs);
  const durationMs = Date.now() - started;
  const detections = decoded.detections.filter((d) => d.score >= settings.scoreThreshold);
  await fs.promises.writeFile(annotatedPng, encodePng(annotate(image, detections)));
  return { image: file, detections, topRawScores: decoded.topRawScores, annotatedPng, durationMs, answeredBy: client.lastAnsweredBy };
}

/** `<base name>.annotated.png`, with -2, -3, ... when two images share a base name. */
export function annotatedFileNames(images: readonly string[]): string[] {
  const used = new Set<string>();
  return images.map((file) => {
    // street.jpg -> street.jpg.annotated.png: the source image stays recognisable, extensions never clash.
    const base = path.basename(file);
    let name = `${base}.annotated.png`;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}.annotated.png`;
    used.add(name);
    return name;
  });
}

/** Passed iff every image has at least minDetections detections at or above the threshold. */
export function smokeTestVerdict(
  family: FamilyId,
  model: string,
  images: ImageResult[],
  settings: Pick<SmokeTestSettings, 'minDetections' | 'scoreThreshold'>,
): SmokeTestResult {
  const short = images.filter((r) => r.detections.length < settings.minDetections);
  const totalDetections = images.reduce((n, r) => n + r.detections.length, 0);
  const result: SmokeTestResult = { passed: short.length === 0, family, model, images, totalDetections };
  if (short.length > 0) {
    const need = settings.minDetections > 1 ? ` (need ${settings.minDetections})` : '';
    const lines = short.map(
      (r) =>
        `${path.basename(r.image)}: ${r.detections.length} detection${r.detections.length === 1 ? '' : 's'} ≥ ${settings.scoreThreshold}${need}; ` +
        `highest raw scores: ${formatScores(r.topRawScores)}`,
    );
    result.failure = `${lines.join('; ')} — lower 'score-threshold' or check the model`;
  }
  return result;
}

/** The best raw score of each label, highest first, at most 3: "car 0.31, pedestrian 0.12". */
function formatScores(scores: readonly { label: string; score: number }[]): string {
  const best = new Map<string, number>();
  for (const s of scores) best.set(s.label, Math.max(s.score, best.get(s.label) ?? -Infinity));
  const top = [...best].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.length === 0 ? 'none' : top.map(([label, score]) => `${label} ${score.toFixed(2)}`).join(', ');
}

function describeImageResult(r: ImageResult, threshold: number): string {
  const found = r.detections
    .slice(0, 5)
    .map((d) => `${d.label} ${d.score.toFixed(2)}`)
    .join(', ');
  const more = r.detections.length > 5 ? ', …' : '';
  return `${path.basename(r.image)}: ${r.detections.length} detection(s) ≥ ${threshold}${found ? ` (${found}${more})` : ''} in ${r.durationMs} ms`;
}
