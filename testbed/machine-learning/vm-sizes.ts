// VM sizes as VirtualMachineSizes_List (2022-10-01) returns them for a region: name, quota family,
// vCPUs, GPUs, memory. Figures are Azure's published ones for each size (learn.microsoft.com
// /azure/virtual-machines/sizes/...: NCasT4_v3, NCv3, NC A100 v4, DSv2, FSv2, ESv3); family names are
// the ones quota is counted under (e.g. standardNCASv3_T4Family, as `az vm list-usage` shows it).

export interface VmSize {
  name: string;
  family: string;
  vCPUs: number;
  gpus: number;
  memoryGB: number;
}

function sizes(family: string, rows: [name: string, vCPUs: number, memoryGB: number, gpus?: number][]): VmSize[] {
  return rows.map(([name, vCPUs, memoryGB, gpus = 0]) => ({ name, family, vCPUs, memoryGB, gpus }));
}

export const VM_SIZES: VmSize[] = [
  ...sizes('standardDSv2Family', [
    ['Standard_DS1_v2', 1, 3.5],
    ['Standard_DS2_v2', 2, 7],
    ['Standard_DS3_v2', 4, 14],
    ['Standard_DS4_v2', 8, 28],
    ['Standard_DS5_v2', 16, 56],
  ]),
  ...sizes('standardFSv2Family', [
    ['Standard_F2s_v2', 2, 4],
    ['Standard_F4s_v2', 4, 8],
    ['Standard_F8s_v2', 8, 16],
    ['Standard_F16s_v2', 16, 32],
    ['Standard_F32s_v2', 32, 64],
  ]),
  ...sizes('standardESv3Family', [
    ['Standard_E2s_v3', 2, 16],
    ['Standard_E4s_v3', 4, 32],
    ['Standard_E8s_v3', 8, 64],
    ['Standard_E16s_v3', 16, 128],
  ]),
  ...sizes('standardNCASv3_T4Family', [
    ['Standard_NC4as_T4_v3', 4, 28, 1],
    ['Standard_NC8as_T4_v3', 8, 56, 1],
    ['Standard_NC16as_T4_v3', 16, 110, 1],
    ['Standard_NC64as_T4_v3', 64, 440, 4],
  ]),
  // NCv3 (V100) was retired on 2025-09-30; regions still list it, provisioning refuses it.
  ...sizes('standardNCSv3Family', [
    ['Standard_NC6s_v3', 6, 112, 1],
    ['Standard_NC12s_v3', 12, 224, 2],
    ['Standard_NC24s_v3', 24, 448, 4],
  ]),
  ...sizes('StandardNCADSA100v4Family', [
    ['Standard_NC24ads_A100_v4', 24, 220, 1],
    ['Standard_NC48ads_A100_v4', 48, 440, 2],
    ['Standard_NC96ads_A100_v4', 96, 880, 4],
  ]),
];

const BY_NAME = new Map(VM_SIZES.map((s) => [s.name.toLowerCase(), s]));

export function vmSize(name: string): VmSize | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export const VM_FAMILIES = [...new Set(VM_SIZES.map((s) => s.family))];

/** One VirtualMachineSize as the 2022-10-01 spec defines it. */
export function vmSizeBody(s: VmSize): Record<string, unknown> {
  return {
    name: s.name,
    family: s.family,
    vCPUs: s.vCPUs,
    gpus: s.gpus,
    osVhdSizeMB: 1047552,
    maxResourceVolumeMB: s.vCPUs * 8 * 1024,
    memoryGB: s.memoryGB,
    lowPriorityCapable: true,
    premiumIO: true,
    supportedComputeTypes: ['ComputeInstance', 'AmlCompute'],
  };
}
