/**
 * Instance types. Standard_NC6s_v3 (the TAO guide's V100 size) was retired by Azure on 2025-09-30;
 * Azure's own Triton samples moved to Standard_NC4as_T4_v3, our default. See docs/adr/004-default-instance-type.md.
 */
export const DEFAULT_INSTANCE_TYPE = 'Standard_NC4as_T4_v3';

const RETIRED: Record<string, string> = {
  standard_nc6s_v3: '2025-09-30',
  standard_nc12s_v3: '2025-09-30',
  standard_nc24s_v3: '2025-09-30',
  standard_nc24rs_v3: '2025-09-30',
  standard_nc6: '2023-09-06',
  standard_nc12: '2023-09-06',
  standard_nc24: '2023-09-06',
  standard_nc6s_v2: '2023-09-06',
  standard_nc12s_v2: '2023-09-06',
  standard_nc24s_v2: '2023-09-06',
  standard_nd6s: '2023-09-06',
  standard_nd12s: '2023-09-06',
  standard_nd24s: '2023-09-06',
};

/** A warning for instance types Azure has retired, undefined otherwise. */
export function instanceTypeWarning(instanceType: string): string | undefined {
  const retiredOn = RETIRED[instanceType.toLowerCase()];
  if (!retiredOn) return undefined;
  return (
    `instance type ${instanceType} was retired by Azure on ${retiredOn}; new deployments on it may fail. ` +
    `Consider ${DEFAULT_INSTANCE_TYPE} (T4) or Standard_NC24ads_A100_v4 (A100).`
  );
}

export function isPlausibleInstanceType(instanceType: string): boolean {
  return /^Standard_[A-Za-z0-9_]+$/.test(instanceType);
}
