/**
 * A private dockerd for real image builds and pushes, all state under the state dir. It treats
 * 127.0.0.0/8 registries as insecure (its default), so it talks to the HTTPS ACR front without
 * needing our CA in /etc/docker/certs.d.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PeerProcess, httpOk, startProcess, waitUntilReady } from './child-process';

/** Where dockerd lives, or undefined when it is not installed. */
export function findDockerd(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/bin', '/usr/local/bin'])) {
    const candidate = path.join(dir, 'dockerd');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Unix socket paths are limited to ~108 bytes; containerd's sockets live under exec-root. */
function runtimeDir(stateDir: string): string {
  const preferred = path.join(stateDir, 'dockerd');
  if (preferred.length < 60) return preferred;
  return path.join(os.tmpdir(), `testbed-dockerd-${crypto.randomBytes(4).toString('hex')}`);
}

export async function startDockerd(binary: string, stateDir: string): Promise<{ process: PeerProcess; dockerHost: string; runtimeDir: string }> {
  const dir = runtimeDir(stateDir);
  for (const sub of ['data', 'exec']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const socket = path.join(dir, 'docker.sock');
  const logFile = path.join(stateDir, 'dockerd.log');
  const args = [
    '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '-H', `unix://${socket}`,
    '--pidfile', path.join(dir, 'dockerd.pid'), '--iptables=false', '--bridge=none', '--storage-driver=vfs',
  ];
  const { process: peer, child } = startProcess({ name: 'dockerd', command: binary, args, logFile });
  try {
    await waitUntilReady('dockerd', child, logFile, () => httpOk({ socketPath: socket, path: '/_ping' }), 60000);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { process: { ...peer, stop: () => stopDockerd(peer, dir, stateDir) }, dockerHost: `unix://${socket}`, runtimeDir: dir };
}

/**
 * dockerd puts its containerd in a process group of its own; dockerd stops it on SIGTERM, but if
 * dockerd had to be killed, containerd (found by its pid file under our exec-root) is ended here.
 */
async function stopDockerd(peer: PeerProcess, dir: string, stateDir: string): Promise<void> {
  const pidFile = path.join(dir, 'exec', 'containerd', 'containerd.pid');
  const containerdPid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : undefined;
  await peer.stop();
  if (containerdPid && ownsProcess(containerdPid, dir)) {
    try {
      process.kill(containerdPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  fs.rmSync(path.join(dir, 'docker.sock'), { force: true });
  // A runtime dir outside the state dir (long paths) is ours alone: remove it.
  if (!dir.startsWith(stateDir)) fs.rmSync(dir, { recursive: true, force: true });
}

/** True when pid is alive and its command line names our runtime dir (pids get reused). */
function ownsProcess(pid: number, dir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}
