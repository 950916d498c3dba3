/**
 * Child processes of the test bed: each runs in its own process group (detached) with its output in
 * a log file under the state dir, so stop() can end it and everything it spawned, and nothing else.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';

export interface PeerProcess {
  name: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone already */
  }
}

/** The last lines of a peer's log, for error messages. */
export function logTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function startProcess(options: StartOptions): { process: PeerProcess; child: ChildProcess } {
  const out = fs.openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  fs.closeSync(out);
  // A missing binary is reported by the pid check below, not as an unhandled 'error' event.
  child.on('error', () => undefined);
  if (child.pid === undefined) throw new Error(`${options.name} could not be started (${options.command})`);
  const pid = child.pid;
  child.unref();
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5000);
    await exited(child);
    clearTimeout(timer);
    // Grandchildren (dockerd's containerd) share the group; make sure none outlives the leader.
    signalGroup(pid, 'SIGKILL');
  };
  return { process: { name: options.name, pid, logFile: options.logFile, stop }, child };
}

/** Polls `probe` until it resolves true; fails early with the log tail if the process exits. */
export async function waitUntilReady(
  name: string,
  child: ChildProcess,
  logFile: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready. Log ${logFile}:\n${logTail(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${name} was not ready after ${timeoutMs} ms. Log ${logFile}:\n${logTail(logFile)}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** GET over a unix socket or TCP; true on a 2xx answer. */
export function httpOk(options: http.RequestOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(options, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** The kernel's range for listen(0) (Linux); ports below it are never handed out to other listeners. */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 12000) return low;
  } catch {
    /* not Linux: the IANA range starts here */
  }
  return 49152;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port on 127.0.0.1 for a child that must be told its port. It is drawn from below the
 * ephemeral range: a port from listen(0) is released before the child binds it, and in between the
 * test bed's own listen(0) servers could be given the same one (the child then fails, or a probe
 * finds the wrong server "ready").
 */
export async function freePort(): Promise<number> {
  const low = 10000;
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high} on 127.0.0.1`);
}
