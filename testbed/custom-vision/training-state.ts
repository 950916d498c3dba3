/** In-memory state of the emulated Custom Vision training resource. */
import * as crypto from 'crypto';
import type { CustomVisionExportVariant } from '../onnx-models/onnx-models';

/** A Training API error, rendered as the spec's CustomVisionError { code, message }. */
export class CustomVisionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CustomVisionError';
  }
}

export interface DomainEntry {
  id: string;
  name: string;
  type: 'Classification' | 'ObjectDetection';
  exportable: boolean;
  enabled: boolean;
  /** Which generated model the export holds (exportable object-detection domains only). */
  signature?: 's1' | 'compact';
}

/** The classification entries are from the spec's GetDomains example; note "General (compact)" exists for both types. */
export const DOMAINS: DomainEntry[] = [
  { id: 'ee85a74c-405e-4adc-bb47-ffa8ca0c9f31', name: 'General', type: 'Classification', exportable: false, enabled: true },
  { id: '0732100f-1a38-4e49-a514-c9b44c697ab5', name: 'General (compact)', type: 'Classification', exportable: true, enabled: true },
  { id: 'da2e3a8a-40a5-4171-82f4-58522f70fbc1', name: 'General', type: 'ObjectDetection', exportable: false, enabled: true },
  { id: '1d8ffafe-ec40-4fb2-8f90-72b3b6cecea4', name: 'Logo', type: 'ObjectDetection', exportable: false, enabled: true },
  { id: 'a27d5ca5-bb19-49d8-a70a-fec086c47f5b', name: 'General (compact)', type: 'ObjectDetection', exportable: true, enabled: true, signature: 'compact' },
  { id: '7ec2ac80-887b-48a6-8df9-8b1357765430', name: 'General (compact) [S1]', type: 'ObjectDetection', exportable: true, enabled: true, signature: 's1' },
];

export interface RegionEntry {
  regionId: string;
  tagId: string;
  left: number;
  top: number;
  width: number;
  height: number;
  created: string;
}

export interface ImageEntry {
  id: string;
  created: string;
  width: number;
  height: number;
  sha256: string;
  regions: RegionEntry[];
  metadata: Record<string, string>;
}

export interface TagEntry {
  id: string;
  name: string;
  description: string | null;
  type: 'Regular' | 'Negative' | 'GeneralProduct';
}

export interface ExportEntry {
  platform: string;
  flavor: string | null;
  readyAt: number;
  token: string;
  zip?: Buffer;
}

export interface IterationEntry {
  id: string;
  name: string;
  created: string;
  readyAt: number;
  trainedAt?: string;
  domainId: string;
  trainingType: 'Regular' | 'Advanced';
  reservedBudgetInHours: number;
  /** Tag names at training time, sorted: the class order of the exported model and labels.txt. */
  labels: string[];
  publishName?: string;
  originalPublishResourceId?: string;
  exports: ExportEntry[];
}

export interface ProjectEntry {
  id: string;
  name: string;
  description: string | null;
  domainId: string;
  targetExportPlatforms: string[];
  created: string;
  lastModified: string;
  tags: Map<string, TagEntry>;
  images: Map<string, ImageEntry>;
  iterations: IterationEntry[];
  /** Images, regions or tags changed since the last training. */
  changedSinceTraining: boolean;
}

export interface Timing {
  trainingMs: number;
  exportMs: number;
}

export class TrainingState {
  readonly projects = new Map<string, ProjectEntry>();
  readonly timing: Timing = { trainingMs: 1500, exportMs: 400 };
  /** Which input convention exported models follow (POST /_testbed/custom-vision/export-variant). */
  exportVariant: CustomVisionExportVariant = 'documented';
  /** Calls per operationId, for tests (GET /_testbed/custom-vision/state). */
  readonly operations = new Map<string, number>();

  project(id: string): ProjectEntry {
    const p = this.projects.get(id.toLowerCase());
    if (!p) throw new CustomVisionError(404, 'NotFoundProject', `Project ${id} not found.`);
    return p;
  }

  iteration(project: ProjectEntry, id: string): IterationEntry {
    const it = project.iterations.find((i) => i.id === id.toLowerCase());
    if (!it) throw new CustomVisionError(404, 'NotFoundIteration', `Iteration ${id} not found.`);
    return it;
  }

  reset(): void {
    this.projects.clear();
    this.operations.clear();
    this.exportVariant = 'documented';
  }
}

export function newId(): string {
  return crypto.randomUUID();
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function iterationStatus(it: IterationEntry, now = Date.now()): 'Training' | 'Completed' {
  if (now < it.readyAt) return 'Training';
  it.trainedAt ??= new Date(it.readyAt).toISOString();
  return 'Completed';
}
