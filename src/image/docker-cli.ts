/**
 * The one way the action runs docker: argv logged at debug level, stdin for secrets
 * (--password-stdin), stderr in the error when a command fails.
 */
import * as exec from '@actions/exec';
import { currentCallSignal } from '../azure/call-limits';
import type { Log } from '../log';
import { DEFAULT_RETRY, RetryableFault, withRetries, type RetryOptions } from '../transient-retry';

export class DockerError extends Error {
  override name = 'DockerError';
}

/**
 * What docker prints when the registry answered a transient status or dropped the connection
 * (login: "failed with status: 503 Service Unavailable"; push: "received unexpected HTTP status:
 * 500 Internal Server Error", "toomanyrequests: ..."). The status, when one is named.
 */
export function transientDockerFailure(output: string): { status?: number } | undefined {
  const status = /(?:status:?|HTTP status:?)\s*(408|429|500|502|503|504)\b/i.exec(output) ?? /\b(429|500|502|503|504) (?:Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)/i.exec(output);
  if (status) return { status: Number(status[1]) };
  // "Get \"https://<registry>/v2/\": EOF": the registry closed the connection without an answer.
  if (/toomanyrequests|connection reset by peer|unexpected EOF|": EOF$|i\/o timeout|TLS handshake timeout/im.test(output)) return {};
  return undefined;
}

export interface RunOptions {
  input?: string;
  quiet?: boolean;
  /** Retry a failure that `transientDockerFailure` recognises; the command must be safe to repeat (login, push). */
  retry?: { operation: string; hint: string; options?: RetryOptions };
}

export interface DockerCli {
  run(args: string[], options?: RunOptions): Promise<string>;
  succeeds(args: string[]): Promise<boolean>;
}

export function dockerCli(log: Log, env: Record<string, string | undefined> = process.env): DockerCli {
  const base = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return {
    async run(args, options = {}) {
      const once = async (): Promise<string> => {
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
          const transient = options.retry ? transientDockerFailure(tail) : undefined;
          if (transient) throw new RetryableFault({ status: transient.status, detail: tail.split('\n').pop() ?? '' });
          throw new DockerError(`'docker ${args[0]}${args[1] && !args[1].startsWith('-') ? ` ${args[1]}` : ''}' failed (exit ${r.exitCode}):\n${tail}`);
        }
        return r.stdout;
      };
      if (!options.retry) return once();
      const { operation, hint, options: retry = DEFAULT_RETRY } = options.retry;
      return withRetries(operation, hint, once, { ...retry, log: retry.log ?? log });
    },
    async succeeds(args) {
      const r = await exec.getExecOutput('docker', args, { ignoreReturnCode: true, silent: true, env: base });
      return r.exitCode === 0;
    },
  };
}
