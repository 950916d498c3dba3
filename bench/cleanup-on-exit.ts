/**
 * What the benchmark has started or written (peers in process groups of their own, temp dirs), so
 * Ctrl-C or SIGTERM still ends and removes it: detached peers do not get the terminal's SIGINT.
 */

type Cleanup = () => unknown;

const pending = new Set<Cleanup>();
let installed = false;

/** Registers `fn` until the returned function is called (after the normal, non-signal cleanup). */
export function onCleanup(fn: Cleanup): () => void {
  if (!installed) {
    installed = true;
    let stopping = false;
    // process.on, not once: a wrapper (npm, tsx) relays the same Ctrl-C again, and the default handler would exit mid-cleanup.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`\n${signal}: cleaning up ...\n`);
        void runCleanups().finally(() => process.exit(130));
      });
    }
  }
  pending.add(fn);
  return () => pending.delete(fn);
}

/** Runs every registered cleanup, newest first; a failing one does not stop the others. */
export async function runCleanups(): Promise<void> {
  for (const fn of [...pending].reverse()) {
    pending.delete(fn);
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`cleanup failed: ${(e as Error).message}\n`);
    }
  }
}
