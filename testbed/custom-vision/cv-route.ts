/** How the route modules register Training API operations (register.ts adds auth, limits, spec check). */
import type { TestbedRequest } from '../server/router';

export interface CvResult {
  status: number;
  body?: unknown;
}

export type CvHandler = (req: TestbedRequest) => CvResult | Promise<CvResult>;

export interface CvRoutes {
  /** `subPath` is relative to /customvision/v3.3/training; `operationId` as in Training.json. */
  add(method: string, subPath: string, operationId: string, handler: CvHandler): void;
}

/** Repeated query values arrive comma-separated (collectionFormat csv). */
export function csv(req: TestbedRequest, name: string): string[] {
  return (req.query.get(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
