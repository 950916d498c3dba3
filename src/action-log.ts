/** The Log the stages use, backed by @actions/core (so masking applies to every line). */
import * as core from '@actions/core';
import type { Log } from './log';

export const actionLog: Log = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m),
};

/** Runs a stage inside a log group with a start line and its duration. */
export async function stage<T>(title: string, f: () => Promise<T>): Promise<T> {
  const started = Date.now();
  return core.group(title, async () => {
    try {
      const result = await f();
      core.info(`done in ${seconds(Date.now() - started)}`);
      return result;
    } catch (e) {
      core.info(`failed after ${seconds(Date.now() - started)}`);
      throw e;
    }
  });
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
