/** The only place that reads action inputs and the runner's environment. */
import * as core from '@actions/core';
import * as fs from 'fs';
import * as os from 'os';
import type { RunEnvironment } from './build-config';
import { INPUT_DEFAULTS, SECRET_INPUTS, type InputName, type RawInputs } from './input-defaults';

export function readInputs(): RawInputs {
  // Secrets are masked before anything else can print them.
  for (const n of SECRET_INPUTS) {
    const v = core.getInput(n);
    if (v) core.setSecret(v);
  }
  const raw = {} as RawInputs;
  for (const n of Object.keys(INPUT_DEFAULTS) as InputName[]) {
    const envName = `INPUT_${n.replace(/ /g, '_').toUpperCase()}`;
    // The runner sets every input (defaults included); a bare `node dist/index.js` may not.
    raw[n] = process.env[envName] === undefined ? INPUT_DEFAULTS[n] : core.getInput(n);
  }
  return raw;
}

export function readRunEnvironment(): RunEnvironment {
  return {
    workspaceDir: process.env.GITHUB_WORKSPACE || process.cwd(),
    tempDir: process.env.RUNNER_TEMP || os.tmpdir(),
    repository: process.env.GITHUB_REPOSITORY,
    sha: process.env.GITHUB_SHA,
    serverUrl: process.env.GITHUB_SERVER_URL,
    runId: process.env.GITHUB_RUN_ID,
    apiUrl: process.env.GITHUB_API_URL,
    eventName: process.env.GITHUB_EVENT_NAME,
    pullRequestNumber: pullRequestNumber(process.env.GITHUB_EVENT_PATH),
    oidcAvailable: !!process.env.ACTIONS_ID_TOKEN_REQUEST_URL && !!process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
}

/** pull_request.number from the event payload the runner wrote (GITHUB_EVENT_PATH); none when unreadable. */
function pullRequestNumber(eventPath: string | undefined): number | undefined {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(fs.readFileSync(eventPath, 'utf8')) as { pull_request?: { number?: unknown } };
    const n = event.pull_request?.number;
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
