// An endpoint's traffic map: validation as Azure ML applies it on endpoint PUT, and the weighted
// choice of a deployment for a scoring request that names none.

export type TrafficCheck = { ok: true; traffic: Record<string, number> } | { ok: false; message: string };

/**
 * Checks a traffic map against the endpoint's deployments: every key must name an existing
 * deployment (case-insensitive; the result uses the deployment's own spelling), every value must
 * be an integer 0..100, and the values must sum to 100, or to 0 when nothing takes traffic.
 */
export function checkTraffic(traffic: unknown, deploymentNames: readonly string[]): TrafficCheck {
  if (traffic === undefined || traffic === null) return { ok: true, traffic: {} };
  if (typeof traffic !== 'object' || Array.isArray(traffic)) {
    return { ok: false, message: 'Traffic must be a map of deployment name to percentage.' };
  }
  const byLower = new Map(deploymentNames.map((n) => [n.toLowerCase(), n]));
  const out: Record<string, number> = {};
  const missing: string[] = [];
  let sum = 0;
  for (const [name, value] of Object.entries(traffic as Record<string, unknown>)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
      return { ok: false, message: `Traffic for deployment '${name}' must be an integer between 0 and 100, got ${JSON.stringify(value)}.` };
    }
    const known = byLower.get(name.toLowerCase());
    if (known === undefined) {
      missing.push(name);
      continue;
    }
    out[known] = value;
    sum += value;
  }
  if (missing.length > 0) {
    return {
      ok: false,
      message: `Traffic cannot be routed to deployment(s) ${missing.map((n) => `'${n}'`).join(', ')}: they do not exist under this endpoint.`,
    };
  }
  if (sum !== 100 && sum !== 0) {
    return { ok: false, message: `Traffic values must sum to 100 (or 0 to route nothing); they sum to ${sum}.` };
  }
  return { ok: true, traffic: out };
}

/** Weighted choice by traffic among `eligible` deployments; undefined when none has traffic. */
export function pickByTraffic(
  traffic: Readonly<Record<string, number>>,
  eligible: (name: string) => boolean,
  random: () => number = Math.random,
): string | undefined {
  const candidates = Object.entries(traffic).filter(([name, weight]) => weight > 0 && eligible(name));
  const total = candidates.reduce((s, [, w]) => s + w, 0);
  if (total === 0) return undefined;
  let r = random() * total;
  for (const [name, weight] of candidates) {
    if (r < weight) return name;
    r -= weight;
  }
  return candidates[candidates.length - 1][0];
}

/** Traffic with deployments removed (a deleted deployment can only have had 0%). */
export function withoutDeployment(traffic: Readonly<Record<string, number>>, name: string): Record<string, number> {
  return Object.fromEntries(Object.entries(traffic).filter(([k]) => k.toLowerCase() !== name.toLowerCase()));
}

/** Same routing: equal shares per deployment, a missing entry being 0%. */
export function sameTraffic(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)].map((n) => n.toLowerCase()));
  const share = (t: Readonly<Record<string, number>>, n: string) => Object.entries(t).find(([k]) => k.toLowerCase() === n)?.[1] ?? 0;
  return [...names].every((n) => share(a, n) === share(b, n));
}
