/**
 * `npx tsx testbed/cli.ts start [--state-dir DIR] [--no-docker] [--env-file FILE]`: starts the test
 * bed, prints its settings as JSON on stdout (logs on stderr), runs until SIGINT/SIGTERM.
 * `--env-file FILE` (alias `--env-out`) also writes the settings as KEY='value' lines for shells.
 * `--registry-resource-group RG`, `--registry-subscription ID` place the workspace's registry elsewhere;
 * `--registry-arm-tokens disabled` makes it refuse ARM-audience tokens (azureADAuthenticationAsArmPolicy).
 * `npx tsx testbed/cli.ts stop [--state-dir DIR]`: signals the running one through its pid file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, startTestbed, type StartTestbedOptions } from './start-testbed';
import type { TestbedSettings } from './settings';

const PID_FILE = 'testbed.pid';

interface CliArgs {
  command: string;
  stateDir: string;
  docker: boolean;
  envFile?: string;
  registry: NonNullable<StartTestbedOptions['registry']>;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: argv[0] ?? '', stateDir: path.join(REPO_ROOT, '.testbed'), docker: true, registry: {} };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--state-dir') args.stateDir = path.resolve(value());
    else if (flag === '--no-docker') args.docker = false;
    // --env-out: Node 20 itself insists that a file named after any --env-file in argv exists.
    else if (flag === '--env-file' || flag === '--env-out') args.envFile = path.resolve(value());
    else if (flag === '--registry-resource-group') args.registry.resourceGroup = value();
    else if (flag === '--registry-subscription') args.registry.subscriptionId = value();
    else if (flag === '--registry-arm-tokens') {
      const v = value();
      if (v !== 'enabled' && v !== 'disabled') throw new Error(`--registry-arm-tokens takes enabled or disabled, got '${v}'`);
      args.registry.armTokenPolicy = v;
    }
    else throw new Error(`unknown option ${flag}; usage: start [--state-dir DIR] [--no-docker] [--env-file|--env-out FILE] [--registry-resource-group RG] [--registry-subscription ID] [--registry-arm-tokens enabled|disabled] | stop [--state-dir DIR]`);
  }
  return args;
}

/** TESTBED_<SNAKE_CASE>=value lines plus the variables a runner/the action reads. */
export function envLines(settings: TestbedSettings): string[] {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = Object.entries(settings)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `TESTBED_${k.replace(/([A-Z])/g, '_$1').toUpperCase()}=${quote(String(v))}`);
  lines.push(`NODE_EXTRA_CA_CERTS=${quote(settings.caFile)}`);
  lines.push(`ACTIONS_ID_TOKEN_REQUEST_URL=${quote(settings.githubOidcRequestUrl)}`);
  lines.push(`ACTIONS_ID_TOKEN_REQUEST_TOKEN=${quote(settings.githubOidcRequestToken)}`);
  if (settings.dockerHost) lines.push(`DOCKER_HOST=${quote(settings.dockerHost)}`);
  return lines;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(args: CliArgs): Promise<void> {
  const pidFile = path.join(args.stateDir, PID_FILE);
  const previous = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined;
  if (previous && isAlive(previous)) throw new Error(`a test bed is already running in ${args.stateDir} (pid ${previous}); stop it with: stop --state-dir ${args.stateDir}`);
  const testbed = await startTestbed({ stateDir: args.stateDir, docker: args.docker, registry: args.registry, log: (m) => process.stderr.write(`[testbed] ${m}\n`) });
  fs.writeFileSync(pidFile, String(process.pid));
  if (args.envFile) fs.writeFileSync(args.envFile, `${envLines(testbed.settings).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(testbed.settings, null, 2)}\n`);
  process.stderr.write(`[testbed] ready in ${testbed.startupMs} ms; stop with Ctrl-C or: npx tsx testbed/cli.ts stop --state-dir ${args.stateDir}\n`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void testbed.stop().finally(() => {
      fs.rmSync(pidFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function stop(args: CliArgs): Promise<void> {
  const pidFile = path.join(args.stateDir, PID_FILE);
  if (!fs.existsSync(pidFile)) throw new Error(`no test bed is running in ${args.stateDir} (no ${PID_FILE})`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  if (!isAlive(pid)) {
    fs.rmSync(pidFile, { force: true });
    process.stderr.write(`[testbed] pid ${pid} was not running; removed the stale pid file\n`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 150 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new Error(`test bed pid ${pid} did not stop within 15 s`);
  process.stderr.write(`[testbed] stopped pid ${pid}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.command === 'start') await start(args);
  else if (args.command === 'stop') await stop(args);
  else throw new Error('usage: testbed/cli.ts start [--state-dir DIR] [--no-docker] [--env-file FILE] | stop [--state-dir DIR]');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[testbed] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
