/**
 * Loads an object-detection dataset folder (COCO JSON or Pascal VOC XML), checks every image and box
 * against Custom Vision's limits before any call, and returns regions normalised to 0..1 with a
 * content hash per image. All problems are collected and thrown together.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { UserInputError, UserInputErrors } from '../../../errors';
import type { Log } from '../../../log';
import type { AnnotatedImage, DatasetFormat, ParsedAnnotations } from './annotations';
import { looksLikeCoco, parseCocoAnnotations } from './coco-annotations';
import { CUSTOM_VISION_LIMITS } from './custom-vision-limits';
import { checkImage, checkTagCounts, NormalizedRegion } from './dataset-checks';
import { ImageFormat, leadingBytes, readImageHeader } from '../../../image-header';
import { addVocAnnotation } from './voc-annotations';

export type { NormalizedRegion } from './dataset-checks';

export interface DatasetImage {
  /** The image's path as found (dataset dir joined with the annotated name). */
  path: string;
  /** sha256 of the file's bytes, hex: how the project recognises an image it already has. */
  sha256: string;
  sizeBytes: number;
  format: ImageFormat;
  width: number;
  height: number;
  regions: NormalizedRegion[];
}

export interface LabeledDataset {
  dir: string;
  format: DatasetFormat;
  /** Annotation file(s): the COCO JSON, or the VOC folder. */
  source: string;
  /** Tags used by at least one box, sorted. */
  tags: string[];
  images: DatasetImage[];
}

const READ_CONCURRENCY = 8;

export async function loadDataset(dir: string, format: 'auto' | DatasetFormat, log: Log): Promise<LabeledDataset> {
  const stat = await fs.promises.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new UserInputError(`dataset folder "${dir}" does not exist or is not a folder; expected a COCO or Pascal VOC dataset`, {
      input: 'custom-vision-dataset',
    });
  }
  const { parsed, source } = await readAnnotations(dir, format);
  const problems = [...parsed.problems];
  const warnings = [...parsed.warnings];

  const checked = await mapLimited(parsed.images, READ_CONCURRENCY, (img) => readAndCheck(img));
  const images: DatasetImage[] = [];
  const byHash = new Map<string, string>();
  for (const c of checked) {
    problems.push(...c.problems);
    warnings.push(...c.warnings);
    if (!c.image) continue;
    const earlier = byHash.get(c.image.sha256);
    if (earlier) {
      warnings.push(`${c.image.path} has the same content as ${earlier}; only the first is uploaded`);
      continue;
    }
    byHash.set(c.image.sha256, c.image.path);
    if (c.image.regions.length === 0) {
      warnings.push(`${c.image.path} has no boxes; it is not uploaded (object detection trains on boxed images)`);
      continue;
    }
    images.push(c.image);
  }

  const imagesPerTag = new Map<string, number>();
  for (const img of images) for (const tag of new Set(img.regions.map((r) => r.tag))) imagesPerTag.set(tag, (imagesPerTag.get(tag) ?? 0) + 1);
  if (problems.length === 0) {
    const counts = checkTagCounts(imagesPerTag, images.length, source);
    problems.push(...counts.problems);
    warnings.push(...counts.warnings);
  }
  for (const w of warnings) log.warning(w);
  if (problems.length > 0) throw new UserInputErrors(problems);
  if (images.length === 0) throw new UserInputError(`${source}: no boxed images found; expected at least one`, { file: source });
  const tags = [...imagesPerTag.keys()].sort();
  log.info(`Dataset ${source} (${parsed.format}): ${images.length} images, ${tags.length} tags (${tags.join(', ')})`);
  return { dir, format: parsed.format, source, tags, images };
}

interface CheckedImage {
  image?: DatasetImage;
  problems: UserInputError[];
  warnings: string[];
}

async function readAndCheck(img: AnnotatedImage): Promise<CheckedImage> {
  const at = img.at.line ? `${img.at.file}:${img.at.line}` : img.at.file;
  const missing = (message: string): CheckedImage => ({
    problems: [new UserInputError(`${at}: ${message}`, { file: img.at.file, line: img.at.line })],
    warnings: [],
  });
  let found: string | undefined;
  let size = 0;
  for (const candidate of img.candidates) {
    const s = await fs.promises.stat(candidate).catch(() => undefined);
    if (s?.isFile()) {
      found = candidate;
      size = s.size;
      break;
    }
  }
  if (!found) return missing(`image "${img.name}" not found (looked for ${img.candidates.join(', ')})`);
  const fileProblem = (message: string): CheckedImage => ({ problems: [new UserInputError(`${found}: ${message}`, { file: found })], warnings: [] });
  if (size > CUSTOM_VISION_LIMITS.maxImageBytes) {
    return fileProblem(`${(size / 1048576).toFixed(1)} MB; Custom Vision accepts training images up to 6 MB`);
  }
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(found);
  } catch (e) {
    return fileProblem(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const header = readImageHeader(bytes);
  if (!header) {
    return fileProblem(`not a JPEG, PNG, BMP or GIF image (first bytes: ${leadingBytes(bytes)}); Custom Vision accepts only those formats`);
  }
  const checked = checkImage(img, found, header);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const image: DatasetImage = { path: found, sha256, sizeBytes: size, ...header, regions: checked.regions };
  return { image: checked.problems.length ? undefined : image, problems: checked.problems, warnings: checked.warnings };
}

async function readAnnotations(dir: string, format: 'auto' | DatasetFormat): Promise<{ parsed: ParsedAnnotations; source: string }> {
  const jsonFiles = [...(await listFiles(dir, '.json')), ...(await listFiles(path.join(dir, 'annotations'), '.json'))];
  const xmlFiles = [...(await listFiles(dir, '.xml')), ...(await listFiles(path.join(dir, 'Annotations'), '.xml'))];
  if (format !== 'voc') {
    const coco: { file: string; text: string }[] = [];
    for (const file of jsonFiles) {
      const text = await fs.promises.readFile(file, 'utf8');
      if (looksLikeCocoText(text)) coco.push({ file, text });
    }
    if (coco.length > 1) {
      throw new UserInputError(
        `dataset folder "${dir}" holds ${coco.length} COCO files (${coco.map((c) => c.file).join(', ')}); expected one (point 'custom-vision-dataset' at one split)`,
        { input: 'custom-vision-dataset' },
      );
    }
    if (coco.length === 1) return { parsed: parseCocoAnnotations(coco[0].text, coco[0].file, dir), source: coco[0].file };
    if (jsonFiles.length === 1 && xmlFiles.length === 0) {
      // Probably a COCO file with a syntax error: parsing it reports where.
      const text = await fs.promises.readFile(jsonFiles[0], 'utf8');
      return { parsed: parseCocoAnnotations(text, jsonFiles[0], dir), source: jsonFiles[0] };
    }
    if (format === 'coco') {
      throw new UserInputError(`dataset folder "${dir}" has no COCO annotation file (*.json with "images" and "annotations")`, {
        input: 'custom-vision-dataset',
      });
    }
  }
  if (xmlFiles.length === 0) {
    throw new UserInputError(
      `dataset folder "${dir}" has no ${format === 'voc' ? 'Pascal VOC *.xml files' : 'COCO *.json or Pascal VOC *.xml annotations'}`,
      { input: 'custom-vision-dataset' },
    );
  }
  const parsed: ParsedAnnotations = { format: 'voc', images: [], problems: [], warnings: [] };
  for (const file of xmlFiles) addVocAnnotation(parsed, await fs.promises.readFile(file, 'utf8'), file, dir);
  const seen = new Map<string, string>();
  parsed.images = parsed.images.filter((img) => {
    const earlier = seen.get(img.name);
    if (earlier) {
      parsed.problems.push(new UserInputError(`${img.at.file}: annotates "${img.name}" again (also ${earlier}); expected one XML file per image`, { file: img.at.file }));
      return false;
    }
    seen.set(img.name, img.at.file);
    return true;
  });
  const source = path.dirname(xmlFiles[0]);
  return { parsed, source };
}

function looksLikeCocoText(text: string): boolean {
  try {
    return looksLikeCoco(JSON.parse(text));
  } catch {
    return false;
  }
}

async function listFiles(dir: string, extension: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(extension))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Promise.all over `items` with at most `limit` running at once, results in input order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
