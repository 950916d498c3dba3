import { waitWithHeartbeat } from '../../../src/deploy/long-wait';

function recordingLog() {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), debug: () => {} };
}

describe('waitWithHeartbeat', () => {
  it('prints a heartbeat with the operation state while the poller runs, and stops when it is done', async () => {
    const log = recordingLog();
    let status = 'InProgress';
    const poller = {
      pollUntilDone: () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 120)),
      getOperationState: () => ({ status }),
    };
    setTimeout(() => (status = 'Finalizing'), 70);
    const result = await waitWithHeartbeat('deployment blue', poller, new AbortController().signal, log, 25);
    expect(result).toBe('done');
    expect(log.lines.length).toBeGreaterThanOrEqual(3);
    expect(log.lines[0]).toMatch(/^ {2}\.\.\. deployment blue: InProgress, \d+ s$/);
    expect(log.lines.some((l) => l.includes('Finalizing'))).toBe(true);
    const count = log.lines.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(log.lines.length).toBe(count);
  });

  it('passes the abort signal to the poller, so a cancelled run stops waiting', async () => {
    const abort = new AbortController();
    const poller = {
      pollUntilDone: ({ abortSignal }: { abortSignal?: AbortSignal } = {}) =>
        new Promise<string>((_resolve, reject) => abortSignal?.addEventListener('abort', () => reject(new Error('aborted')))),
      getOperationState: () => ({ status: 'InProgress' }),
    };
    setTimeout(() => abort.abort(), 20);
    await expect(waitWithHeartbeat('x', poller, abort.signal, recordingLog(), 1000)).rejects.toThrow('aborted');
  });
});
