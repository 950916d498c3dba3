/**
 * The results service's artifact records (artifacts v4): created, then finalized once the zip is in
 * blob storage. Names are unique per workflow run, as GitHub enforces since v4.
 */
import type { JobIds } from './runtime-token';

export interface ArtifactRecord extends JobIds {
  /** database_id: what the artifact's page URL ends with. */
  id: number;
  name: string;
  state: 'pending' | 'finalized';
  container: string;
  blobName: string;
  createdAt: string;
  expiresAt?: string;
  /** Zip size and `sha256:<hex>` digest, as the client reported them at finalize (checked against the blob). */
  size?: number;
  digest?: string;
  /** The zip's entries, read at finalize. */
  files?: { name: string; bytes: number }[];
}

/** A Twirp error: rendered as `{ code, msg }` with the HTTP status Twirp maps the code to. */
export class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ArtifactStore {
  private readonly records: ArtifactRecord[] = [];
  private nextId = 1001;

  list(): readonly ArtifactRecord[] {
    return this.records;
  }

  create(ids: JobIds, name: string, container: string, expiresAt: string | undefined): ArtifactRecord {
    if (this.records.some((r) => r.workflowRunBackendId === ids.workflowRunBackendId && r.name === name)) {
      throw new TwirpError(409, 'already_exists', 'an artifact with this name already exists on the workflow run');
    }
    const id = this.nextId++;
    const record: ArtifactRecord = {
      ...ids, id, name, state: 'pending', container,
      blobName: `${ids.workflowRunBackendId}/${ids.workflowJobRunBackendId}/artifacts/${id}.zip`,
      createdAt: new Date().toISOString(), expiresAt,
    };
    this.records.push(record);
    return record;
  }

  pending(ids: JobIds, name: string): ArtifactRecord {
    const record = this.records.find(
      (r) => r.workflowRunBackendId === ids.workflowRunBackendId && r.workflowJobRunBackendId === ids.workflowJobRunBackendId && r.name === name && r.state === 'pending',
    );
    if (!record) throw new TwirpError(404, 'not_found', `no artifact named '${name}' awaits finalizing for this job`);
    return record;
  }

  finalized(workflowRunBackendId: string, filter: { name?: string; id?: number }): ArtifactRecord[] {
    return this.records.filter(
      (r) => r.state === 'finalized' && r.workflowRunBackendId === workflowRunBackendId && (filter.name === undefined || r.name === filter.name) && (filter.id === undefined || r.id === filter.id),
    );
  }
}
