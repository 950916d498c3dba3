/**
 * Brings the project's images in line with the dataset, uploading only what it lacks.
 *
 * Images are recognised by the sha256 of their file. v3.3 keeps no file name on an image, and
 * CreateImagesFromFiles/UpdateImageMetadata set one metadata object for a whole batch, so after
 * each upload batch one UpdateImageMetadata call stores a map "imageId:hash ..." on the batch's
 * images (split over keys of at most 512 characters, the documented value limit); GetImages
 * returns it on the next run. Existing images whose boxes changed get their regions replaced.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserInputError, UserInputErrors } from '../../errors';
import type { Log } from '../../log';
import type { DatasetImage, LabeledDataset, NormalizedRegion } from './dataset/load-dataset';
import type { Image, ImageCreateResult, ImageFileCreateEntry, TrainingClient } from './training-client';

export const HASH_METADATA_PREFIX = 'aml-triton-deploy.sha256.';
/** "Limited to 64 images and 20 tags per batch" (CreateImagesFromFiles). */
const MAX_BATCH_IMAGES = 64;
const MAX_BATCH_TAGS = 20;
/** Keeps one JSON request (base64 adds a third) well under typical gateway body limits. */
const MAX_BATCH_BYTES = 24 * 1024 * 1024;
const MAX_METADATA_VALUE = 512;
/** DeleteImageRegions takes at most 64 ids; CreateImageRegions at most 64 entries. */
const MAX_REGION_BATCH = 64;
/** A 128-bit prefix of the sha256 identifies an image; it keeps the metadata map short. */
const HASH_CHARS = 32;

export interface ImageSyncResult {
  uploaded: number;
  skipped: number;
  regionsReplaced: number;
}

/** Image status codes that mean the user's file is at fault (ImageCreateStatus in the spec). */
const USER_FAULT_STATUSES: Record<string, string> = {
  ErrorSource: 'the service could not read the file',
  ErrorImageFormat: 'the image format is not supported (JPEG, PNG, BMP or GIF expected)',
  ErrorImageSize: 'the image is too large (at most 6 MB and 10240 pixels per side)',
  ErrorLimitExceed: "the project's image limit is reached",
  ErrorTagLimitExceed: 'too many tags on the image',
  ErrorRegionLimitExceed: 'too many regions on the image (at most 300)',
  ErrorNegativeAndRegularTagOnSameImage: 'a negative and a regular tag on the same image',
};

export function hashKey(sha256: string): string {
  return sha256.slice(0, HASH_CHARS);
}

/** hash -> image, from the maps this module stored in image metadata. */
export function imagesByHash(images: Image[]): Map<string, Image> {
  const result = new Map<string, Image>();
  for (const image of images) {
    for (const [key, value] of Object.entries(image.metadata ?? {})) {
      if (!key.startsWith(HASH_METADATA_PREFIX)) continue;
      for (const pair of value.split(' ')) {
        const [id, hash] = pair.split(':');
        if (id === image.id && hash) result.set(hash, image);
      }
    }
  }
  return result;
}

/** The metadata object recording `pairs` (image id, hash), in values of at most 512 characters. */
export function hashMetadata(pairs: [string, string][]): Record<string, string> {
  const metadata: Record<string, string> = {};
  let n = 0;
  let value = '';
  for (const [id, hash] of pairs) {
    const item = `${id}:${hash}`;
    if (value && value.length + 1 + item.length > MAX_METADATA_VALUE) {
      metadata[HASH_METADATA_PREFIX + n++] = value;
      value = '';
    }
    value = value ? `${value} ${item}` : item;
  }
  if (value) metadata[HASH_METADATA_PREFIX + n] = value;
  return metadata;
}

/** Groups images into upload batches within the count, tag and size limits, in dataset order. */
export function uploadBatches(images: DatasetImage[]): DatasetImage[][] {
  const batches: DatasetImage[][] = [];
  let batch: DatasetImage[] = [];
  let tags = new Set<string>();
  let bytes = 0;
  for (const img of images) {
    const merged = new Set([...tags, ...img.regions.map((r) => r.tag)]);
    const full = batch.length >= MAX_BATCH_IMAGES || merged.size > MAX_BATCH_TAGS || (batch.length > 0 && bytes + img.sizeBytes > MAX_BATCH_BYTES);
    if (full && batch.length > 0) {
      batches.push(batch);
      batch = [];
      bytes = 0;
      tags = new Set(img.regions.map((r) => r.tag));
    } else tags = merged;
    batch.push(img);
    bytes += img.sizeBytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function regionSignature(tag: string, r: { left: number; top: number; width: number; height: number }): string {
  return [tag, r.left, r.top, r.width, r.height].map((v) => (typeof v === 'number' ? v.toFixed(3) : v)).join('|');
}

function sameRegions(existing: Image, wanted: NormalizedRegion[], tagNames: Map<string, string>): boolean {
  const a = (existing.regions ?? []).map((r) => regionSignature(tagNames.get(r.tagId) ?? r.tagName ?? r.tagId, r)).sort();
  const b = wanted.map((r) => regionSignature(r.tag, r)).sort();
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

export interface ImageSyncPlan {
  toUpload: DatasetImage[];
  kept: DatasetImage[];
  /** Images in the project whose boxes differ from the dataset's. */
  stale: DatasetImage[];
  /** Project images that are not in the dataset (left alone). */
  extra: number;
}

/** What syncImages would do, from the project's images as GetImages returns them (pure). */
export function planImageSync(existing: Image[], dataset: LabeledDataset, tagIds: Map<string, string>): ImageSyncPlan {
  const known = imagesByHash(existing);
  const tagNames = new Map([...tagIds].map(([name, id]) => [id, name]));
  const toUpload = dataset.images.filter((img) => !known.has(hashKey(img.sha256)));
  const kept = dataset.images.filter((img) => known.has(hashKey(img.sha256)));
  const stale = kept.filter((img) => !sameRegions(known.get(hashKey(img.sha256))!, img.regions, tagNames));
  return { toUpload, kept, stale, extra: existing.length - kept.length };
}

export function describeImageSync(p: ImageSyncPlan, verb = 'to upload'): string {
  return (
    `${p.kept.length} already in the project, ${p.toUpload.length} ${verb}` +
    (p.stale.length ? `, ${p.stale.length} with changed boxes` : '') +
    (p.extra > 0 ? `; ${p.extra} project image(s) not in the dataset are left as they are` : '')
  );
}

export async function syncImages(
  client: TrainingClient,
  projectId: string,
  dataset: LabeledDataset,
  tagIds: Map<string, string>,
  log: Log,
): Promise<ImageSyncResult> {
  const existing = await client.getAllImages(projectId);
  const known = imagesByHash(existing);
  const tagNames = new Map([...tagIds].map(([name, id]) => [id, name]));
  const plan = planImageSync(existing, dataset, tagIds);
  const { toUpload, kept, stale } = plan;
  log.info(`Images: ${describeImageSync(plan)}`);

  const problems: UserInputError[] = [];
  let uploaded = 0;
  for (const batch of uploadBatches(toUpload)) {
    const entries: ImageFileCreateEntry[] = await Promise.all(
      batch.map(async (img) => ({
        name: path.basename(img.path),
        contents: (await fs.promises.readFile(img.path)).toString('base64'),
        regions: img.regions.map((r) => ({ tagId: tagIds.get(r.tag)!, left: r.left, top: r.top, width: r.width, height: r.height })),
      })),
    );
    const summary = await client.createImagesFromFiles(projectId, entries);
    const results = matchResults(batch, summary.images);
    const pairs: [string, string][] = [];
    const duplicates: { img: DatasetImage; image: Image }[] = [];
    results.forEach((result, i) => {
      const img = batch[i];
      if (result?.status === 'OK' && result.image) {
        pairs.push([result.image.id, hashKey(img.sha256)]);
        uploaded++;
      } else if (result?.status === 'OKDuplicate' && result.image) {
        // The project had these pixels without our record (e.g. uploaded in the portal).
        pairs.push([result.image.id, hashKey(img.sha256)]);
        duplicates.push({ img, image: result.image });
      } else if (result && USER_FAULT_STATUSES[result.status]) {
        problems.push(new UserInputError(`${img.path}: Custom Vision refused the image: ${result.status} (${USER_FAULT_STATUSES[result.status]})`, { file: img.path }));
      } else {
        throw new Error(`Custom Vision CreateImagesFromFiles: ${img.path} came back ${result?.status ?? 'without a result'}; try again`);
      }
    });
    if (pairs.length > 0) await client.updateImageMetadata(projectId, pairs.map(([id]) => id), hashMetadata(pairs));
    for (const d of duplicates) {
      if (sameRegions(d.image, d.img.regions, tagNames)) continue;
      stale.push(d.img);
      known.set(hashKey(d.img.sha256), d.image);
    }
    log.info(`Uploaded ${uploaded}/${toUpload.length} images`);
  }
  if (problems.length > 0) throw new UserInputErrors(problems);

  await replaceRegions(client, projectId, stale, known, tagIds);
  return { uploaded, skipped: kept.length, regionsReplaced: stale.length };
}

/** Results by entry: matched on sourceUrl (the entry name) when the service echoes it, else by position. */
function matchResults(batch: DatasetImage[], results: ImageCreateResult[]): (ImageCreateResult | undefined)[] {
  const names = batch.map((img) => path.basename(img.path));
  const unique = new Set(names).size === names.length;
  const byName = new Map(results.filter((r) => r.sourceUrl).map((r) => [r.sourceUrl!, r]));
  return batch.map((_, i) => (unique && byName.has(names[i]) ? byName.get(names[i]) : results[i]));
}

async function replaceRegions(
  client: TrainingClient,
  projectId: string,
  images: DatasetImage[],
  known: Map<string, Image>,
  tagIds: Map<string, string>,
): Promise<void> {
  const oldIds = images.flatMap((img) => (known.get(hashKey(img.sha256))?.regions ?? []).map((r) => r.regionId));
  for (let i = 0; i < oldIds.length; i += MAX_REGION_BATCH) await client.deleteImageRegions(projectId, oldIds.slice(i, i + MAX_REGION_BATCH));
  const entries = images.flatMap((img) =>
    img.regions.map((r) => ({
      imageId: known.get(hashKey(img.sha256))!.id,
      tagId: tagIds.get(r.tag)!,
      left: r.left,
      top: r.top,
      width: r.width,
      height: r.height,
    })),
  );
  for (let i = 0; i < entries.length; i += MAX_REGION_BATCH) await client.createImageRegions(projectId, entries.slice(i, i + MAX_REGION_BATCH));
}
