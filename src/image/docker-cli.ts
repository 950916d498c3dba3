/**
 * The one way the action runs docker: argv logged at debug level, stdin for secrets
 * (--password-stdin), stderr in the error when a command fails.
 */
import * as exec from '@actions/exec';
import { currentCallSignal } from '../azure/call-limits';
import type { Log } from '../log';

export class DockerError extends Error {
  override name = 'DockerError';
}

export interface DockerCli {
  run(args: string[], options?: { input?: string; quiet?: boolean }): Promise<string>;
  succeeds(args: string[]): Promise<boolean>;
}

export function dockerCli(log: Log, env: Record<string, string | undefined> = process.env): DockerCli {
  const base = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return {
    async run(args, options = {}) {
      // A cancelled stage starts no further docker command (a running one is not interrupted).
      const signal = currentCallSignal();
      if (signal?.aborted) throw new DockerError(`'docker ${args[0]}' not started: ${(signal.reason as Error)?.message ?? 'cancelled'}`);
      log.debug(`docker ${args.join(' ')}`);
      const r = await exec.getExecOutput('docker', args, {
        input: options.input !== undefined ? Buffer.from(options.input) : undefined,
        ignoreReturnCode: true,
        silent: options.quiet ?? true,
        env: base,
        listeners: options.quiet === false ? undefined : { stdline: (l) => log.debug(l), errline: (l) => log.debug(l) },
      });
      if (r.exitCode !== 0) {
        const tail = (r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n');
        throw new DockerError(`'docker ${args[0]}${args[1] && !args[1].startsWith('-') ? ` ${args[1]}` : ''}' failed (exit ${r.exitCode}):\n${tail}`);
      }
      return r.stdout;
    },
    async succeeds(args) {
      const r = await exec.getExecOutput('docker', args, { ignoreReturnCode: true, silent: true, env: base });
      return r.exitCode === 0;
    },
  };
}
