/**
 * The traffic maps a rollout goes through. The new deployment takes each step's share; the rest is
 * split among the deployments that had traffic, in proportion to what they had. Pure.
 */
export function trafficSteps(current: Record<string, number>, next: string, steps: number[]): Record<string, number>[] {
  const others = Object.entries(current).filter(([name, pct]) => name !== next && pct > 0);
  const otherTotal = others.reduce((s, [, p]) => s + p, 0);
  return steps.map((step) => {
    const map: Record<string, number> = {};
    for (const name of Object.keys(current)) map[name] = 0;
    const rest = otherTotal > 0 ? 100 - step : 0;
    let assigned = 0;
    others.forEach(([name, pct], i) => {
      const share = i === others.length - 1 ? rest - assigned : Math.floor((rest * pct) / otherTotal);
      map[name] = share;
      assigned += share;
    });
    // With nobody else serving, the new deployment takes everything at once.
    map[next] = otherTotal > 0 ? step : 100;
    return map;
  }).filter((m, i, all) => i === 0 || JSON.stringify(m) !== JSON.stringify(all[i - 1]));
}
