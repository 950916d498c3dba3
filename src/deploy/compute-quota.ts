/**
 * Reads what a quota check needs, for the workspace's region: the VM sizes Azure ML offers there
 * (VirtualMachineSizes_List) and the dedicated-core usage and limits (Usages_List). Both are
 * subscription-level reads a workspace-scoped identity may lack: a refusal becomes a note, not an error.
 */
import type { AzureClients } from '../azure/clients';

export interface VmSizeInfo {
  name: string;
  family?: string;
  vCPUs?: number;
}

export interface UsageInfo {
  id?: string;
  type?: string;
  name?: string;
  localizedName?: string;
  currentValue?: number;
  limit?: number;
}

export interface ComputeQuotaReading {
  location: string;
  sizes?: VmSizeInfo[];
  usages?: UsageInfo[];
  /** Why a list could not be read ("usages: HTTP 403 AuthorizationFailed ..."). */
  unread: string[];
}

function why(e: unknown): string {
  const status = (e as { statusCode?: number }).statusCode;
  const code = (e as { code?: string }).code;
  return `${status ? `HTTP ${status} ` : ''}${code ? `${code}: ` : ''}${(e as Error).message ?? String(e)}`;
}

export async function readComputeQuota(clients: AzureClients, location: string): Promise<ComputeQuotaReading> {
  const unread: string[] = [];
  const [sizes, usages] = await Promise.all([
    clients.ml.virtualMachineSizes.list(location).then(
      (r) => (r.value ?? []).filter((s) => !!s.name).map((s) => ({ name: s.name!, family: s.family, vCPUs: s.vCPUs })),
      (e: unknown) => {
        unread.push(`VM sizes: ${why(e)}`);
        return undefined;
      },
    ),
    (async () => {
      try {
        const out: UsageInfo[] = [];
        for await (const u of clients.ml.usages.list(location)) {
          out.push({ id: u.id, type: u.type, name: u.name?.value, localizedName: u.name?.localizedValue, currentValue: u.currentValue, limit: u.limit });
        }
        return out;
      } catch (e) {
        unread.push(`usages: ${why(e)}`);
        return undefined;
      }
    })(),
  ]);
  return { location, sizes, usages, unread };
}
