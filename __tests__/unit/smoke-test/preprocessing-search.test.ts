import {
  CUSTOM_VISION_PREPROCESSINGS,
  PixelConvention,
  conventionFromMetadata,
  conventionOf,
  preprocessingName,
} from '../../../src/smoke-test/families/custom-vision-preprocessing';
import { Detection } from '../../../src/smoke-test/detection';
import { PreprocessingSearch, preprocessingAdvice, searchPreprocessing } from '../../../src/smoke-test/preprocessing-search';
import { ImageResult, smokeTestVerdict } from '../../../src/smoke-test/run-smoke-test';

const det = (label: string, score: number): Detection => ({ label, classId: 0, score, box: { x1: 0, y1: 0, x2: 1, y2: 1 } });

/** A fake model: what each preprocessing finds, and the order it was asked in. */
function fakeModel(finds: Record<string, Detection[]>) {
  const asked: string[] = [];
  const scoreWith = async (c: PixelConvention) => {
    asked.push(preprocessingName(c));
    return finds[preprocessingName(c)] ?? [];
  };
  return { asked, scoreWith };
}

describe('searchPreprocessing', () => {
  it('tries every other channel order and range once, and names the one that finds objects with its best score', async () => {
    const model = fakeModel({ 'rgb-0-255': [det('red', 0.62), det('red', 0.97)] });
    const search = await searchPreprocessing(conventionOf('rgb-0-1'), 'metadata', model.scoreWith, 2);
    expect(model.asked).toEqual(['rgb-0-255', 'bgr-0-255', 'bgr-0-1']);
    expect(search).toEqual({
      configured: 'rgb-0-1',
      configuredFrom: 'metadata',
      tried: [
        { preprocessing: 'rgb-0-255', detections: 2, best: { label: 'red', score: 0.97 } },
        { preprocessing: 'bgr-0-255', detections: 0, best: undefined },
        { preprocessing: 'bgr-0-1', detections: 0, best: undefined },
      ],
      working: { preprocessing: 'rgb-0-255', detections: 2, best: { label: 'red', score: 0.97 } },
    });
  });

  it.each([
    ['most detections wins', { 'bgr-0-255': [det('a', 0.9)], 'rgb-0-1': [det('a', 0.6), det('b', 0.6)] }, 1, 'rgb-0-1'],
    ['equal counts: the higher best score wins', { 'bgr-0-255': [det('a', 0.7)], 'rgb-0-1': [det('a', 0.95)] }, 1, 'rgb-0-1'],
    ['fewer than min-detections is not a fix', { 'bgr-0-255': [det('a', 0.9)] }, 2, undefined],
    ['nothing anywhere', {}, 1, undefined],
  ])('%s', async (_name, finds, minDetections, working) => {
    const search = await searchPreprocessing(conventionOf('rgb-0-255'), 'default', fakeModel(finds).scoreWith, minDetections);
    expect(search.working?.preprocessing).toBe(working);
    expect(search.tried).toHaveLength(3);
  });

  it('tries all four when the metadata asked for -1..1, which no input value names', async () => {
    const model = fakeModel({});
    const search = await searchPreprocessing({ pixelFormat: 'Rgb8', pixelRange: '-1_1' }, 'metadata', model.scoreWith, 1);
    expect(model.asked).toEqual(['rgb-0-255', 'rgb-0-1', 'bgr-0-255', 'bgr-0-1']);
    expect(search.configured).toBe('rgb-(-1)-1');
  });
});

describe('preprocessing names and metadata', () => {
  it('every explicit input value names a convention that names it back', () => {
    for (const v of CUSTOM_VISION_PREPROCESSINGS.filter((x) => x !== 'auto')) expect(preprocessingName(conventionOf(v as Exclude<typeof v, 'auto'>))).toBe(v);
  });

  it.each([
    [{ 'Image.BitmapPixelFormat': 'Rgb8', 'Image.NominalPixelRange': 'Normalized_0_1' }, { pixelFormat: 'Rgb8', pixelRange: '0_1' }],
    [{ 'Image.BitmapPixelFormat': 'Bgr8', 'Image.NominalPixelRange': 'NominalRange_0_255' }, { pixelFormat: 'Bgr8', pixelRange: '0_255' }],
    [{ 'Image.NominalPixelRange': 'Normalized_1_1' }, { pixelFormat: undefined, pixelRange: '-1_1' }],
    [{ 'Image.BitmapPixelFormat': 'Gray8' }, { pixelFormat: undefined, pixelRange: undefined }],
  ])('reads %j as %j', (metadata, expected) => {
    expect(conventionFromMetadata(metadata)).toEqual(expected);
  });
});

describe('the failure message after a search', () => {
  const search = (working?: string, configured = 'rgb-0-1'): PreprocessingSearch => ({
    configured,
    configuredFrom: 'metadata',
    tried: [{ preprocessing: working ?? 'bgr-0-1', detections: working ? 1 : 0, best: working ? { label: 'red', score: 0.91 } : undefined }],
    working: working ? { preprocessing: working, detections: 1, best: { label: 'red', score: 0.91 } } : undefined,
  });
  const image = (name: string, s?: PreprocessingSearch): ImageResult => ({
    image: `/x/${name}`,
    detections: [],
    topRawScores: [{ label: 'red', score: 0.02 }],
    annotatedPng: `/out/${name}.annotated.png`,
    durationMs: 1,
    preprocessingSearch: s,
  });

  it('names what was sent, what each other preprocessing found and the input to set', () => {
    const result = smokeTestVerdict('custom_vision_s1', 'm', [image('a.png', search('rgb-0-255'))], { minDetections: 1, scoreThreshold: 0.5 });
    expect(result.passed).toBe(false);
    expect(result.failure).toBe(
      "a.png: 0 detections ≥ 0.5; highest raw scores: red 0.02; sent as rgb-0-1, other preprocessings find: rgb-0-255 1 (best red 0.91) — " +
        "the model finds objects when the picture is sent as rgb-0-255 instead of rgb-0-1 (from the export's ONNX metadata): set input 'custom-vision-preprocessing' to 'rgb-0-255'",
    );
  });

  it('advises the preprocessing that works for most failing pictures', () => {
    expect(preprocessingAdvice([search('bgr-0-255'), search('rgb-0-255'), search('bgr-0-255'), search()])).toContain("to 'bgr-0-255'");
    expect(preprocessingAdvice([search(), search()])).toBeUndefined();
  });

  it('keeps the threshold advice when no preprocessing finds anything', () => {
    const result = smokeTestVerdict('custom_vision_s1', 'm', [image('a.png', search())], { minDetections: 1, scoreThreshold: 0.5 });
    expect(result.failure).toBe("a.png: 0 detections ≥ 0.5; highest raw scores: red 0.02; sent as rgb-0-1, other preprocessings find: bgr-0-1 0 — lower 'score-threshold' or check the model");
  });
});
