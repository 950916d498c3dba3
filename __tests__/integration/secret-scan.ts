/**
 * Scans everything a run leaves behind for the secrets it handled. The raw log may hold a secret only
 * after its `::add-mask::` line (the runner shows *** from then on); outputs, the job summary and
 * every file under RUNNER_TEMP (the output dir, the smoke-test artifact, temp files) may not hold it
 * at all.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ActionRun } from '../../testbed/action-runner';
import { control } from '../../testbed/control-client';
import type { TestbedSettings } from '../../testbed/settings';

export interface RunSecret {
  /** What it is, for the failure message (the value is never shown). */
  name: string;
  value: string;
}

/**
 * The secrets the test bed handed out to the action since the last POST /_testbed/reset-log. The
 * registry tokens dockerd fetches for a push (user agent docker/...) stay inside dockerd.
 */
export async function issuedSecrets(settings: TestbedSettings): Promise<RunSecret[]> {
  const issued = await control<{ field: string; value: string; url: string; userAgent: string }[]>(settings, 'GET', '/issued-secrets');
  return issued.filter((s) => !/^docker\//i.test(s.userAgent)).map((s) => ({ name: `${s.field} from ${s.url.split('?')[0]}`, value: s.value }));
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Each problem names the secret and where it leaked; an empty list means every secret was masked first and kept out of files. */
export function secretLeaks(run: ActionRun, secrets: RunSecret[]): string[] {
  const leaks: string[] = [];
  for (const s of secrets) {
    const maskLine = `::add-mask::${s.value}`;
    const masked = run.log.indexOf(maskLine);
    const first = run.log.indexOf(s.value);
    if (masked < 0) leaks.push(`${s.name}: never masked (no ::add-mask:: line)`);
    else if (first < masked + '::add-mask::'.length) leaks.push(`${s.name}: printed before its ::add-mask:: line`);
    for (const [name, value] of Object.entries(run.outputs)) if (value.includes(s.value)) leaks.push(`${s.name}: in output '${name}'`);
    if (run.summary.includes(s.value)) leaks.push(`${s.name}: in the job summary`);
    const needle = Buffer.from(s.value);
    for (const file of filesUnder(run.runnerTemp)) {
      if (fs.readFileSync(file).includes(needle)) leaks.push(`${s.name}: in ${path.relative(run.runnerTemp, file)}`);
    }
  }
  return leaks;
}
