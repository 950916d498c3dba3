/** GetImages, CreateImagesFromFiles, UpdateImageMetadata, CreateImageRegions, DeleteImageRegions. */
import * as crypto from 'crypto';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { TestbedRequest } from '../server/router';
import { csv, CvRoutes } from './cv-route';
import { CustomVisionError, ImageEntry, newId, nowIso, ProjectEntry, RegionEntry, TrainingState } from './training-state';
import { imageView } from './training-views';

const MAX_BATCH = 64;
const MAX_TAGS_PER_BATCH = 20;
const MAX_IMAGE_BYTES = 6 * 1024 * 1024;
const MAX_REGIONS_PER_IMAGE = 300;

interface RegionInput {
  tagId?: string;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
}

/** Width and height of a PNG/JPEG (decoded) or GIF/BMP (header); undefined for other data. */
function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.toString('latin1', 0, 3) === 'GIF') return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes.toString('latin1', 0, 2) === 'BM' && bytes.length > 26) return { width: bytes.readInt32LE(18), height: Math.abs(bytes.readInt32LE(22)) };
  try {
    // Decoded whole, as the service does: a file with a valid header but corrupt data is refused.
    if (bytes.toString('latin1', 1, 4) === 'PNG') return PNG.sync.read(bytes);
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpeg.decode(bytes, { maxResolutionInMP: 200, maxMemoryUsageInMB: 1024 });
    return undefined;
  } catch {
    return undefined;
  }
}

function checkRegion(p: ProjectEntry, r: RegionInput): void {
  if (!r.tagId || !p.tags.has(r.tagId.toLowerCase())) throw new CustomVisionError(400, 'BadRequestImageRegions', `Unknown tag ${r.tagId} in a region.`);
  const { left = NaN, top = NaN, width = NaN, height = NaN } = r;
  const ok = [left, top, width, height].every(Number.isFinite) && left >= 0 && top >= 0 && width > 0 && height > 0 && left + width <= 1.0001 && top + height <= 1.0001;
  if (!ok) throw new CustomVisionError(400, 'BadRequestImageRegions', `Region ${JSON.stringify(r)} is outside 0..1.`);
}

function toRegion(r: RegionInput): RegionEntry {
  return { regionId: newId(), tagId: r.tagId!.toLowerCase(), left: r.left!, top: r.top!, width: r.width!, height: r.height!, created: nowIso() };
}

function checkMetadata(metadata: Record<string, unknown>): void {
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw new CustomVisionError(400, 'BadRequestImageMetadataKey', 'At most 50 metadata entries per image.');
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 256) throw new CustomVisionError(400, 'BadRequestImageMetadataKey', `Metadata key "${k.slice(0, 40)}" must be 1..256 characters.`);
    if (typeof v !== 'string' || v.length > 512) throw new CustomVisionError(400, 'BadRequestImageMetadataValue', `Metadata value of "${k}" must be a string of at most 512 characters.`);
  }
}

export function addImageRoutes(routes: CvRoutes, state: TrainingState): void {
  routes.add('GET', '/projects/:projectId/images', 'GetImages', (req) => {
    const p = state.project(req.params.projectId);
    const take = Number(req.query.get('take') ?? 50);
    const skip = Number(req.query.get('skip') ?? 0);
    if (!(take >= 0 && take <= 256)) throw new CustomVisionError(400, 'BadRequestInvalid', 'take is limited to 256.');
    let images = [...p.images.values()];
    const status = req.query.get('taggingStatus') ?? 'All';
    if (status === 'Tagged') images = images.filter((i) => i.regions.length > 0);
    if (status === 'Untagged') images = images.filter((i) => i.regions.length === 0);
    if ((req.query.get('orderBy') ?? 'Newest') === 'Newest') images.reverse();
    return { status: 200, body: images.slice(skip, skip + take).map((i) => imageView(p, i)) };
  });

  routes.add('POST', '/projects/:projectId/images/files', 'CreateImagesFromFiles', (req) => {
    const p = state.project(req.params.projectId);
    const batch = req.json<{ images?: { name?: string; contents?: string; tagIds?: string[]; regions?: RegionInput[] }[]; metadata?: Record<string, string> | null }>();
    const entries = batch.images ?? [];
    if (entries.length > MAX_BATCH) throw new CustomVisionError(400, 'BadRequestExceededBatchSize', `At most ${MAX_BATCH} images per batch.`);
    const tagIds = new Set(entries.flatMap((e) => (e.regions ?? []).map((r) => r.tagId)));
    if (tagIds.size > MAX_TAGS_PER_BATCH) throw new CustomVisionError(400, 'BadRequestExceededBatchSize', `At most ${MAX_TAGS_PER_BATCH} tags per batch.`);
    if (batch.metadata) checkMetadata(batch.metadata);
    for (const e of entries) for (const r of e.regions ?? []) checkRegion(p, r);
    const results = entries.map((e) => createImage(p, e, batch.metadata ?? undefined));
    const ok = results.every((r) => r.status === 'OK');
    if (results.some((r) => r.status === 'OK')) p.changedSinceTraining = true;
    return { status: ok ? 200 : 207, body: { isBatchSuccessful: ok, images: results } };
  });

  routes.add('POST', '/projects/:projectId/images/metadata', 'UpdateImageMetadata', (req) => {
    const p = state.project(req.params.projectId);
    const ids = csv(req, 'imageIds');
    if (ids.length > MAX_BATCH) throw new CustomVisionError(400, 'BadRequestExceededBatchSize', `At most ${MAX_BATCH} image ids.`);
    const metadata = req.json<Record<string, string>>();
    checkMetadata(metadata);
    const images = ids.map((id) => {
      const img = p.images.get(id.toLowerCase());
      if (!img) return { imageId: id, status: 'ErrorImageNotFound', metadata: null };
      const merged = { ...img.metadata, ...metadata };
      if (Object.keys(merged).length > 50) return { imageId: id, status: 'ErrorLimitExceed', metadata: img.metadata };
      img.metadata = merged;
      return { imageId: id, status: 'OK', metadata: img.metadata };
    });
    const ok = images.every((i) => i.status === 'OK');
    return { status: ok ? 200 : 207, body: { isBatchSuccessful: ok, images } };
  });

  routes.add('POST', '/projects/:projectId/images/regions', 'CreateImageRegions', (req) => {
    const p = state.project(req.params.projectId);
    const regions = req.json<{ regions?: (RegionInput & { imageId?: string })[] }>().regions ?? [];
    if (regions.length > MAX_BATCH) throw new CustomVisionError(400, 'BadRequestExceededBatchSize', `At most ${MAX_BATCH} regions per batch.`);
    const created: unknown[] = [];
    for (const r of regions) {
      const img = p.images.get((r.imageId ?? '').toLowerCase());
      if (!img) throw new CustomVisionError(400, 'BadRequestImageRegions', `Unknown image ${r.imageId}.`);
      checkRegion(p, r);
      const region = toRegion(r);
      img.regions.push(region);
      created.push({ ...region, imageId: img.id, tagName: p.tags.get(region.tagId)?.name ?? '' });
    }
    if (created.length > 0) p.changedSinceTraining = true;
    return { status: 200, body: { created, duplicated: [], exceeded: [] } };
  });

  routes.add('DELETE', '/projects/:projectId/images/regions', 'DeleteImageRegions', (req: TestbedRequest) => {
    const p = state.project(req.params.projectId);
    const ids = new Set(csv(req, 'regionIds').map((id) => id.toLowerCase()));
    if (ids.size > MAX_BATCH) throw new CustomVisionError(400, 'BadRequestExceededBatchSize', `At most ${MAX_BATCH} region ids.`);
    for (const img of p.images.values()) {
      const before = img.regions.length;
      img.regions = img.regions.filter((r) => !ids.has(r.regionId));
      if (img.regions.length !== before) p.changedSinceTraining = true;
    }
    return { status: 204 };
  });
}

interface CreateResult {
  sourceUrl: string;
  status: string;
  image?: unknown;
}

function createImage(p: ProjectEntry, e: { name?: string; contents?: string; regions?: RegionInput[] }, metadata?: Record<string, string>): CreateResult {
  const sourceUrl = e.name ?? '';
  const bytes = Buffer.from(e.contents ?? '', 'base64');
  if (bytes.length === 0) return { sourceUrl, status: 'ErrorSource' };
  if (bytes.length > MAX_IMAGE_BYTES) return { sourceUrl, status: 'ErrorImageSize' };
  const size = imageSize(bytes);
  if (!size) return { sourceUrl, status: 'ErrorImageFormat' };
  if ((e.regions ?? []).length > MAX_REGIONS_PER_IMAGE) return { sourceUrl, status: 'ErrorRegionLimitExceed' };
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const duplicate = [...p.images.values()].find((i) => i.sha256 === sha256);
  if (duplicate) return { sourceUrl, status: 'OKDuplicate', image: imageView(p, duplicate) };
  const img: ImageEntry = {
    id: newId(), created: nowIso(), ...size, sha256, regions: (e.regions ?? []).map(toRegion), metadata: { ...(metadata ?? {}) },
  };
  p.images.set(img.id, img);
  return { sourceUrl, status: 'OK', image: imageView(p, img) };
}
