// The smoke-test stage: sends each test image through the deployed model and passes only when every
// image yields enough confident detections. Annotated PNGs are written for the job summary.
import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../errors';
import { Log } from '../log';
import { annotate } from './annotate';
import { ClusteringConfig } from './clustering-config';
import { Detection } from './detection';
import { CustomVisionPreprocessing, PixelConvention, XyActivation, conventionOf } from './families/custom-vision-preprocessing';
import { DecodeOptions, FamilyId, ModelFamily, ModelSignature, pickFamily } from './families/model-family';
import { decodeImage, encodePng } from './image-codec';
import { KServeClient, KServeRequestError } from './kserve-client';
import { describeLatency, measureLatency, type LatencyFigures } from './latency-probe';
export { checkImageFile, MAX_IMAGE_PIXELS } from './image-codec';
export { checkLabelCount } from './families/label-count';
export { FAMILY_IDS, type CustomVisionFamily, type FamilyId, type GenericModelSettings, type SmokeInputs } from './families/family-contract';
export {
  CUSTOM_VISION_PREPROCESSINGS,
  XY_ACTIVATIONS,
  conventionFromMetadata,
  type CustomVisionPreprocessing,
  type XyActivation,
} from './families/custom-vision-preprocessing';
import { PreprocessingSearch, describeOutcomes, preprocessingAdvice, searchPreprocessing } from './preprocessing-search';
import { RgbImage } from './rgb-image';
import { Scoring, describeScoring, scoreThresholdScoring } from './score-rule';

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
  /** Custom Vision: overrides pixelFormat / pixelRange unless 'auto' (input 'custom-vision-preprocessing'). */
  preprocessing?: CustomVisionPreprocessing;
  /** Custom Vision compact (input 'custom-vision-xy-activation'); 'sigmoid' when absent. */
  xyActivation?: XyActivation;
  generic?: DecodeOptions['generic'];
  protocol: 'binary' | 'json';
  readyTimeoutMs: number;
  requestTimeoutMs: number;
  outputDir: string;
  /** Retries of metadata and inference requests; default 4 tries from 1 s. */
  retry?: { attempts: number; baseDelayMs: number };
  /** After a pass: the first image sent this many more times, timed (none: no measurement). */
  latency?: { requests: number; timeLimitMs: number };
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
  /** Custom Vision, when the picture fell short: what the other preprocessings found. */
  preprocessingSearch?: PreprocessingSearch;
  /** The deployment that answered, when the endpoint named it (a request routed by the traffic split). */
  answeredBy?: string;
}

export interface SmokeTestResult {
  passed: boolean;
  family: FamilyId;
  model: string;
  images: ImageResult[];
  totalDetections: number;
  /** What the scores mean and the threshold that applied (DetectNet_v2: summed coverage against the clustering config). */
  scoring: Scoring;
  failure?: string;
  /** Round-trip times of the first image's request, measured after a pass. */
  latency?: LatencyFigures;
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
    const chosen = settings.preprocessing && settings.preprocessing !== 'auto' ? conventionOf(settings.preprocessing) : undefined;
    const decodeOptions: DecodeOptions = {
      scoreThreshold: settings.scoreThreshold,
      labels: settings.labels,
      clustering: settings.clustering,
      pixelFormat: chosen?.pixelFormat ?? settings.pixelFormat,
      pixelRange: chosen?.pixelRange ?? settings.pixelRange,
      xyActivation: settings.xyActivation,
      generic: settings.generic,
    };
    const family = pickFamily(sig, settings.family, decodeOptions);
    if (chosen && !family.defaultPixels) {
      log.warning(`custom-vision-preprocessing '${settings.preprocessing}' is ignored: model '${model}' is a ${family.id} model, not a Custom Vision export`);
    }
    const batching = config && typeof config.max_batch_size === 'number' ? `, max_batch_size ${config.max_batch_size}` : '';
    log.info(`model '${model}' (${metadata.platform}${batching}): ${family.id} family, ${settings.protocol} protocol`);

    await fs.promises.mkdir(settings.outputDir, { recursive: true });
    const outputNames = annotatedFileNames(settings.images);
    const results: ImageResult[] = [];
    let scoring = scoreThresholdScoring(settings.scoreThreshold);
    // One request at a time: Azure ML's max_concurrent_requests_per_instance defaults to 1.
    for (const [i, file] of settings.images.entries()) {
      const scored = await scoreImage(client, model, family, sig, decodeOptions, settings, file, images[i], path.join(settings.outputDir, outputNames[i]));
      if (i === 0) log.info(`scores: ${describeScoring(scored.scoring)}`);
      scoring = scored.scoring;
      log.info(describeImageResult(scored.result));
      results.push(scored.result);
    }
    const verdict = smokeTestVerdict(family.id, model, results, settings, scoring);
    if (verdict.passed && settings.latency && settings.latency.requests > 0) {
      // The request is prepared once: the figures are the deployment's, not this runner's preprocessing.
      const prepared = family.prepare(images[0], sig, decodeOptions);
      const binary = settings.protocol === 'binary';
      verdict.latency = await measureLatency(() => client.infer(model, prepared.inputs, prepared.outputNames, { binary }).then(() => undefined), settings.latency);
      verdict.latency.answeredBy = client.lastAnsweredBy;
      log.info(`latency of ${path.basename(settings.images[0])}: ${describeLatency(verdict.latency)}`);
    }
    return verdict;
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
): Promise<{ result: ImageResult; scoring: Scoring }> {
  const started = Date.now();
  const prepared = family.prepare(image, sig, decodeOptions);
  const scoring = prepared.scoring ?? scoreThresholdScoring(settings.scoreThreshold);
  const outputs = await client.infer(model, prepared.inputs, prepared.outputNames, { binary: settings.protocol === 'binary' });
  const decoded = prepared.decode(outputs);
  const durationMs = Date.now() - started;
  // A clustering config's thresholds already judged DetectNet_v2 clusters; 'score-threshold' is not applied again.
  const detections = scoring.scoreThresholdDecides ? decoded.detections.filter((d) => d.score >= settings.scoreThreshold) : decoded.detections;
  await fs.promises.writeFile(annotatedPng, encodePng(annotate(image, detections)));
  const result: ImageResult = { image: file, detections, topRawScores: decoded.topRawScores, annotatedPng, durationMs, answeredBy: client.lastAnsweredBy };
  if (family.defaultPixels && detections.length < settings.minDetections) {
    const configured: PixelConvention = {
      pixelFormat: decodeOptions.pixelFormat ?? family.defaultPixels.pixelFormat,
      pixelRange: decodeOptions.pixelRange ?? family.defaultPixels.pixelRange,
    };
    const from = settings.preprocessing && settings.preprocessing !== 'auto' ? 'input' : settings.pixelFormat || settings.pixelRange ? 'metadata' : 'default';
    result.preprocessingSearch = await searchPreprocessing(
      configured,
      from,
      async (c) => {
        const other = family.prepare(image, sig, { ...decodeOptions, ...c });
        const out = await client.infer(model, other.inputs, other.outputNames, { binary: settings.protocol === 'binary' });
        return other.decode(out).detections.filter((d) => d.score >= settings.scoreThreshold);
      },
      settings.minDetections,
    );
  }
  return { result, scoring };
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

/**
 * Passed iff every image has at least minDetections detections. The failure message names the cause:
 * an image with none (the threshold that applied, what the scores mean, the best raw scores) or an
 * image with some but fewer than 'min-detections'.
 */
export function smokeTestVerdict(
  family: FamilyId,
  model: string,
  images: ImageResult[],
  settings: Pick<SmokeTestSettings, 'minDetections' | 'scoreThreshold'>,
  scoring: Scoring = scoreThresholdScoring(settings.scoreThreshold),
): SmokeTestResult {
  const none = images.filter((r) => r.detections.length === 0 && settings.minDetections > 0);
  const few = images.filter((r) => r.detections.length > 0 && r.detections.length < settings.minDetections);
  const totalDetections = images.reduce((n, r) => n + r.detections.length, 0);
  const result: SmokeTestResult = { passed: none.length + few.length === 0, family, model, images, totalDetections, scoring };
  const parts: string[] = [];
  if (none.length > 0) {
    const need = settings.minDetections > 1 ? ` (need ${settings.minDetections})` : '';
    const where = scoring.scoreThresholdDecides ? `≥ ${settings.scoreThreshold}` : `where ${describeScoring(scoring)}`;
    const lines = none.map(
      (r) =>
        `${path.basename(r.image)}: 0 detections ${where}${need}; highest ${scoring.rawMeaning}: ${formatScores(r.topRawScores)}` +
        (r.preprocessingSearch ? `; sent as ${r.preprocessingSearch.configured}, other preprocessings find: ${describeOutcomes(r.preprocessingSearch.tried)}` : ''),
    );
    const advice = preprocessingAdvice(none.flatMap((r) => (r.preprocessingSearch ? [r.preprocessingSearch] : [])));
    parts.push(`${lines.join('; ')} — ${advice ?? scoring.lowerHint}`);
  }
  if (few.length > 0) {
    const lines = few.map((r) => `${path.basename(r.image)}: ${r.detections.length} detection${r.detections.length === 1 ? '' : 's'} (${formatDetections(r.detections)})`);
    parts.push(
      `${lines.join('; ')}, fewer than 'min-detections' ${settings.minDetections} — lower 'min-detections' or use images with more objects`,
    );
  }
  if (parts.length > 0) result.failure = parts.join('. ');
  return result;
}

/** The best raw score of each label, highest first, at most 3: "car 0.31, pedestrian 0.12". */
function formatScores(scores: readonly { label: string; score: number }[]): string {
  const best = new Map<string, number>();
  for (const s of scores) best.set(s.label, Math.max(s.score, best.get(s.label) ?? -Infinity));
  const top = [...best].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.length === 0 ? 'none' : top.map(([label, score]) => `${label} ${score.toFixed(2)}`).join(', ');
}

function formatDetections(detections: readonly Detection[]): string {
  const shown = detections.slice(0, 5).map((d) => `${d.label} ${d.score.toFixed(2)}`);
  return `${shown.join(', ')}${detections.length > 5 ? ', …' : ''}`;
}

function describeImageResult(r: ImageResult): string {
  const found = r.detections.length ? ` (${formatDetections(r.detections)})` : '';
  return `${path.basename(r.image)}: ${r.detections.length} detection(s)${found} in ${r.durationMs} ms`;
}
