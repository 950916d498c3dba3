/** JSON bodies as the Training API v3.3 spec defines them (Project, Tag, Image, Iteration, Export). */
import { DOMAINS, ExportEntry, ImageEntry, IterationEntry, iterationStatus, ProjectEntry, TagEntry } from './training-state';

export function projectView(p: ProjectEntry): unknown {
  return {
    id: p.id,
    name: p.name,
    description: p.description ?? '',
    settings: {
      domainId: p.domainId,
      classificationType: null,
      targetExportPlatforms: p.targetExportPlatforms,
      useNegativeSet: true,
      detectionParameters: '',
      imageProcessingSettings: { augmentationMethods: {} },
    },
    created: p.created,
    lastModified: p.lastModified,
    thumbnailUri: '',
    drModeEnabled: false,
    status: 'Succeeded',
  };
}

export function tagView(p: ProjectEntry, t: TagEntry): unknown {
  let imageCount = 0;
  for (const img of p.images.values()) if (img.regions.some((r) => r.tagId === t.id)) imageCount++;
  return { id: t.id, name: t.name, description: t.description, type: t.type, imageCount };
}

export function imageView(p: ProjectEntry, img: ImageEntry): unknown {
  const tagIds = [...new Set(img.regions.map((r) => r.tagId))];
  return {
    id: img.id,
    created: img.created,
    width: img.width,
    height: img.height,
    resizedImageUri: '',
    thumbnailUri: '',
    originalImageUri: '',
    tags: tagIds.map((tagId) => ({ tagId, tagName: p.tags.get(tagId)?.name ?? '', created: img.created })),
    regions: img.regions.map((r) => ({ ...r, tagName: p.tags.get(r.tagId)?.name ?? '' })),
    metadata: img.metadata,
  };
}

export function iterationView(p: ProjectEntry, it: IterationEntry): unknown {
  const status = iterationStatus(it);
  const domain = DOMAINS.find((d) => d.id === it.domainId);
  const exportable = status === 'Completed' && !!domain?.exportable;
  return {
    id: it.id,
    name: it.name,
    status,
    created: it.created,
    lastModified: it.trainedAt ?? it.created,
    trainedAt: it.trainedAt ?? null,
    projectId: p.id,
    exportable,
    exportableTo: exportable ? ['ONNX'] : [],
    domainId: it.domainId,
    classificationType: null,
    trainingType: it.trainingType,
    reservedBudgetInHours: it.reservedBudgetInHours,
    trainingTimeInMinutes: 1,
    publishName: it.publishName ?? '',
    originalPublishResourceId: it.originalPublishResourceId ?? '',
  };
}

export function exportView(e: ExportEntry, baseUrl: string, now = Date.now()): unknown {
  const done = now >= e.readyAt;
  return {
    platform: e.platform,
    status: done ? 'Done' : 'Exporting',
    ...(done ? { downloadUri: `${baseUrl}/customvision-export/${e.token}/model.zip` } : {}),
    flavor: e.flavor,
    newerVersionAvailable: false,
  };
}
