/** The plan: what each stage will do and why, computed read-only before any Azure write. */
import type { ImagePlan } from '../image/triton-image';
import type { ModelRepository } from '../model-repository/validate-model-repository';
import type { EndpointState } from '../deploy/endpoint';
import type { DeploymentState } from '../deploy/deployment';
import type { WorkspaceInfo } from '../deploy/workspace-info';
import type { SmokeInputs } from '../smoke-test/run-smoke-test';
import { describeQuota, type QuotaCheck } from './quota-check';

export type { SmokeInputs };

export interface DeployPlan {
  workspace: WorkspaceInfo;
  repository: ModelRepository;
  model: { name: string; existingVersion?: string; nextVersion: string };
  image?: ImagePlan;
  endpoint: EndpointState;
  deployment: { name: string; state: DeploymentState; action: 'create' | 'recreate' | 'reuse'; reason: string };
  /** Whether the new instances fit the region's quota (read-only check at plan time). */
  quota?: QuotaCheck;
  traffic: { steps: Record<string, number>[]; alreadyServing: boolean };
  smoke: SmokeInputs;
}

export function describePlan(p: DeployPlan): string[] {
  const lines = [
    `model      ${p.model.name}: ${p.model.existingVersion ? `reuse version ${p.model.existingVersion} (same content)` : `create version ${p.model.nextVersion}`} — ${p.repository.files.length} files, content ${p.repository.contentHash.slice(0, 12)}`,
  ];
  if (p.image) {
    lines.push(`image      ${p.image.loginServer}/${p.image.repository}:${p.image.tag}: ${p.image.existingDigest ? 'reuse (already in the registry)' : p.image.build === 'registry' ? 'build in the registry (importImage for the base, then a new config and manifest)' : 'docker build and push on the runner'}`);
  } else {
    lines.push(`image      none (triton_model: Azure ML's curated Triton image)`);
  }
  lines.push(`endpoint   ${p.endpoint.name}: ${p.endpoint.exists ? `reuse (traffic ${JSON.stringify(p.endpoint.traffic)})` : 'create'}`);
  lines.push(`deployment ${p.deployment.name}: ${p.deployment.action} — ${p.deployment.reason}`);
  if (p.quota) lines.push(describeQuota(p.quota));
  lines.push(`traffic    ${p.traffic.alreadyServing ? 'unchanged (already serving 100%)' : p.traffic.steps.map((s) => JSON.stringify(s)).join(' -> ')}`);
  return lines;
}
