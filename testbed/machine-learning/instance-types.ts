// VM sizes a managed online deployment accepts (Azure ML "managed online endpoints SKU list"),
// and the ones Azure has retired. Matching is case-insensitive, as Azure's is.

function series(prefix: string, sizes: number[], suffix: string): string[] {
  return sizes.map((n) => `${prefix}${n}${suffix}`);
}

const CPU = [
  ...series('Standard_DS', [1, 2, 3, 4, 5], '_v2'),
  ...series('Standard_F', [2, 4, 8, 16, 32, 48, 64, 72], 's_v2'),
  ...series('Standard_E', [2, 4, 8, 16, 32, 48, 64], 's_v3'),
  ...series('Standard_D', [2, 4, 8, 16, 32, 48, 64, 96], 'as_v4'),
  ...series('Standard_D', [2, 4, 8, 16, 32, 48, 64, 96], 'a_v4'),
  ...series('Standard_E', [2, 4, 8, 16, 20, 32, 48, 64, 96], 'as_v4'),
];

const GPU = [
  ...series('Standard_NC', [4, 8, 16, 64], 'as_T4_v3'),
  ...series('Standard_NC', [24, 48, 96], 'ads_A100_v4'),
  'Standard_NC40ads_H100_v5',
  'Standard_NC80adis_H100_v5',
  'Standard_ND96asr_v4',
  'Standard_ND96amsr_A100_v4',
  'Standard_ND96isr_H100_v5',
  'Standard_ND40rs_v2',
];

export interface RetiredSeries {
  series: string;
  retiredOn: string;
}

const RETIRED: Record<string, RetiredSeries> = {
  ...Object.fromEntries(series('Standard_NC', [6, 12, 24], 's_v3').map((s) => [s, { series: 'NCv3', retiredOn: '2025-09-30' }])),
  ...Object.fromEntries(series('Standard_NC', [6, 12, 24], '').map((s) => [s, { series: 'NC (v1)', retiredOn: '2023-09-06' }])),
  ...Object.fromEntries(series('Standard_NC', [6, 12, 24], 's_v2').map((s) => [s, { series: 'NCv2', retiredOn: '2023-09-06' }])),
  ...Object.fromEntries(series('Standard_ND', [6, 12, 24], 's').map((s) => [s, { series: 'ND (v1)', retiredOn: '2023-09-06' }])),
};

const KNOWN = new Map([...CPU, ...GPU, ...Object.keys(RETIRED)].map((s) => [s.toLowerCase(), s]));

export type InstanceTypeCheck =
  | { kind: 'supported'; name: string }
  | { kind: 'retired'; name: string; retired: RetiredSeries }
  | { kind: 'unknown' };

export function checkInstanceType(instanceType: string): InstanceTypeCheck {
  const name = KNOWN.get(instanceType.toLowerCase());
  if (name === undefined) return { kind: 'unknown' };
  const retired = RETIRED[name];
  return retired ? { kind: 'retired', name, retired } : { kind: 'supported', name };
}

/** A few supported sizes to suggest in error messages. */
export const SUGGESTED_GPU = ['Standard_NC4as_T4_v3', 'Standard_NC8as_T4_v3', 'Standard_NC24ads_A100_v4'];
export const SUGGESTED_CPU = ['Standard_DS3_v2', 'Standard_F4s_v2', 'Standard_E4s_v3'];
