/**
 * The Training API v3.3 operations this stage uses, typed after the spec's definitions
 * (reference/specification/cognitiveservices/data-plane/CustomVision/Training/stable/v3.3/Training.json).
 */
import type { Log } from '../../log';
import { TrainingHttp, TransportOptions } from './training-http';

export interface Domain {
  id: string;
  name: string;
  type: 'Classification' | 'ObjectDetection';
  exportable: boolean;
  enabled: boolean;
}

export interface Project {
  id: string;
  name: string;
  description?: string;
  settings: { domainId?: string; targetExportPlatforms?: string[] };
}

export interface Tag {
  id: string;
  name: string;
  type: string;
  imageCount?: number;
}

export interface Iteration {
  id: string;
  name: string;
  status: string;
  created?: string;
  trainedAt?: string | null;
  exportable?: boolean;
  domainId?: string | null;
  publishName?: string;
}

export interface Export {
  platform: string;
  status: 'Exporting' | 'Failed' | 'Done';
  downloadUri?: string;
  flavor?: string | null;
  newerVersionAvailable?: boolean;
}

export interface ImageRegion {
  regionId: string;
  tagId: string;
  tagName?: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Image {
  id: string;
  width: number;
  height: number;
  regions?: ImageRegion[] | null;
  metadata?: Record<string, string> | null;
}

export interface Region {
  tagId: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ImageFileCreateEntry {
  name: string;
  contents: string;
  regions: Region[];
}

export interface ImageCreateResult {
  sourceUrl?: string;
  status: string;
  image?: Image;
}

export interface ImageCreateSummary {
  isBatchSuccessful: boolean;
  images: ImageCreateResult[];
}

/** Images per GetImages page: the spec's maximum for `take`. */
export const IMAGES_PAGE = 256;

export class TrainingClient {
  private readonly http: TrainingHttp;

  constructor(endpoint: string, trainingKey: string, log: Log, options?: TransportOptions) {
    this.http = new TrainingHttp(endpoint, trainingKey, log, options);
  }

  async getDomains(): Promise<Domain[]> {
    return (await this.http.call<Domain[]>('GetDomains', 'GET', '/domains')).body;
  }

  async getProjects(): Promise<Project[]> {
    return (await this.http.call<Project[]>('GetProjects', 'GET', '/projects')).body;
  }

  async getProject(projectId: string): Promise<Project> {
    return (await this.http.call<Project>('GetProject', 'GET', `/projects/${projectId}`)).body;
  }

  async createProject(name: string, domainId: string, description: string): Promise<Project> {
    const query = { name, description, domainId, targetExportPlatforms: ['ONNX'] };
    return (await this.http.call<Project>('CreateProject', 'POST', '/projects', { query })).body;
  }

  async getTags(projectId: string): Promise<Tag[]> {
    return (await this.http.call<Tag[]>('GetTags', 'GET', `/projects/${projectId}/tags`)).body;
  }

  async createTag(projectId: string, name: string): Promise<Tag> {
    return (await this.http.call<Tag>('CreateTag', 'POST', `/projects/${projectId}/tags`, { query: { name, type: 'Regular' } })).body;
  }

  /** All images of the project's workspace, paged. */
  async getAllImages(projectId: string): Promise<Image[]> {
    const all: Image[] = [];
    for (let skip = 0; ; skip += IMAGES_PAGE) {
      const page = (
        await this.http.call<Image[]>('GetImages', 'GET', `/projects/${projectId}/images`, {
          query: { taggingStatus: 'All', orderBy: 'Oldest', take: IMAGES_PAGE, skip },
        })
      ).body;
      all.push(...page);
      if (page.length < IMAGES_PAGE) return all;
    }
  }

  async createImagesFromFiles(projectId: string, images: ImageFileCreateEntry[], metadata?: Record<string, string>): Promise<ImageCreateSummary> {
    return (
      await this.http.call<ImageCreateSummary>('CreateImagesFromFiles', 'POST', `/projects/${projectId}/images/files`, {
        body: { images, ...(metadata ? { metadata } : {}) },
      })
    ).body;
  }

  async updateImageMetadata(projectId: string, imageIds: string[], metadata: Record<string, string>): Promise<void> {
    await this.http.call('UpdateImageMetadata', 'POST', `/projects/${projectId}/images/metadata`, { query: { imageIds }, body: metadata });
  }

  async deleteImageRegions(projectId: string, regionIds: string[]): Promise<void> {
    await this.http.call('DeleteImageRegions', 'DELETE', `/projects/${projectId}/images/regions`, { query: { regionIds } });
  }

  async createImageRegions(projectId: string, regions: (Region & { imageId: string })[]): Promise<void> {
    await this.http.call('CreateImageRegions', 'POST', `/projects/${projectId}/images/regions`, { body: { regions } });
  }

  async trainProject(projectId: string, opts: { forceTrain: boolean; budgetHours?: number }): Promise<Iteration> {
    const query = opts.budgetHours
      ? { trainingType: 'Advanced', reservedBudgetInHours: opts.budgetHours, forceTrain: opts.forceTrain }
      : { trainingType: 'Regular', forceTrain: opts.forceTrain };
    return (await this.http.call<Iteration>('TrainProject', 'POST', `/projects/${projectId}/train`, { query, kind: 'train' })).body;
  }

  async getIterations(projectId: string): Promise<Iteration[]> {
    return (await this.http.call<Iteration[]>('GetIterations', 'GET', `/projects/${projectId}/iterations`)).body;
  }

  async getIteration(projectId: string, iterationId: string): Promise<Iteration> {
    return (await this.http.call<Iteration>('GetIteration', 'GET', `/projects/${projectId}/iterations/${iterationId}`)).body;
  }

  async publishIteration(projectId: string, iterationId: string, publishName: string, predictionId: string): Promise<void> {
    await this.http.call('PublishIteration', 'POST', `/projects/${projectId}/iterations/${iterationId}/publish`, {
      query: { publishName, predictionId, overwrite: true },
    });
  }

  async getExports(projectId: string, iterationId: string): Promise<Export[]> {
    return (await this.http.call<Export[]>('GetExports', 'GET', `/projects/${projectId}/iterations/${iterationId}/export`)).body;
  }

  async exportIteration(projectId: string, iterationId: string, platform: string): Promise<Export> {
    return (
      await this.http.call<Export>('ExportIteration', 'POST', `/projects/${projectId}/iterations/${iterationId}/export`, { query: { platform } })
    ).body;
  }

  download(uri: string): Promise<Buffer> {
    return this.http.download(uri);
  }
}
