import { silentLog } from '../../../src/log';
import { downloadOnnxExport } from '../../../src/source/custom-vision/model-export';
import { Clock, RateLimiter } from '../../../src/source/custom-vision/rate-limiter';
import { CustomVisionApiError, retryAfterMs } from '../../../src/source/custom-vision/training-http';
import type { Export, Iteration, TrainingClient } from '../../../src/source/custom-vision/training-client';
import { latestCompleted, trainOrReuse } from '../../../src/source/custom-vision/training-run';

/** A clock that only moves when slept on. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

const poll = (clock: Clock) => ({ intervalMs: 100, deadline: clock.now() + 60_000, clock, log: silentLog });

describe('downloadOnnxExport', () => {
  it('waits for the running export when ExportIteration answers BadRequestExportAlreadyInProgress', async () => {
    const clock = fakeClock();
    let gets = 0;
    const client = {
      getExports: async (): Promise<Export[]> => {
        gets++;
        if (gets === 1) return [{ platform: 'ONNX', status: 'Failed' }];
        return gets < 4 ? [{ platform: 'ONNX', status: 'Exporting' }] : [{ platform: 'ONNX', status: 'Done', downloadUri: 'https://blob/x.zip' }];
      },
      exportIteration: async () => {
        throw new CustomVisionApiError('ExportIteration', 400, 'BadRequestExportAlreadyInProgress', 'busy');
      },
      download: async (uri: string) => Buffer.from(uri),
    } as unknown as TrainingClient;
    const zip = await downloadOnnxExport(client, 'p', 'i', poll(clock), silentLog);
    expect(zip.toString()).toBe('https://blob/x.zip');
    expect(gets).toBe(4);
  });

  it('fails naming the iteration when the export fails', async () => {
    const clock = fakeClock();
    const client = {
      getExports: async (): Promise<Export[]> => [{ platform: 'ONNX', status: 'Failed' }],
      exportIteration: async () => ({ platform: 'ONNX', status: 'Exporting' }),
    } as unknown as TrainingClient;
    await expect(downloadOnnxExport(client, 'p', 'it-7', poll(clock), silentLog)).rejects.toThrow('ONNX export of iteration it-7 ended with status Failed');
  });
});

describe('trainOrReuse', () => {
  const iterations: Iteration[] = [
    { id: 'old', name: 'Iteration 1', status: 'Completed', trainedAt: '2024-01-01T00:00:00Z' },
    { id: 'new', name: 'Iteration 2', status: 'Completed', trainedAt: '2024-03-01T00:00:00Z' },
    { id: 'failed', name: 'Iteration 3', status: 'Failed', created: '2024-04-01T00:00:00Z' },
  ];

  it('reuses the latest completed iteration when training is not needed', async () => {
    const client = {
      trainProject: async () => {
        throw new CustomVisionApiError('TrainProject', 400, 'BadRequestTrainingNotNeeded', 'nothing changed');
      },
      getIterations: async () => iterations,
    } as unknown as TrainingClient;
    const result = await trainOrReuse(client, 'p', { forceTrain: false, poll: poll(fakeClock()) }, silentLog);
    expect(result).toEqual({ iteration: iterations[1], trained: false });
  });

  it('turns a training validation failure into an input error about the dataset', async () => {
    const client = {
      trainProject: async () => {
        throw new CustomVisionApiError('TrainProject', 400, 'BadRequestTrainingValidationFailed', 'Tag "x" has 3 images');
      },
    } as unknown as TrainingClient;
    await expect(trainOrReuse(client, 'p', { forceTrain: false, poll: poll(fakeClock()) }, silentLog)).rejects.toMatchObject({
      name: 'UserInputError',
      where: { input: 'custom-vision-dataset' },
    });
  });

  it('reports a failed training with the iteration and its status', async () => {
    const client = {
      trainProject: async () => ({ id: 'i9', name: 'Iteration 9', status: 'Training' }),
      getIteration: async () => ({ id: 'i9', name: 'Iteration 9', status: 'Failed' }),
    } as unknown as TrainingClient;
    await expect(trainOrReuse(client, 'p', { forceTrain: true, poll: poll(fakeClock()) }, silentLog)).rejects.toThrow(
      'training of iteration "Iteration 9" (i9) ended with status Failed',
    );
  });

  it('picks the most recently trained completed iteration', () => {
    expect(latestCompleted(iterations)?.id).toBe('new');
  });
});

describe('call pacing', () => {
  it('spaces calls to under 10 per second, and TrainProject to under 2 per second', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.acquire('train');
      times.push(clock.now());
    }
    for (let i = 0; i < 3; i++) {
      await limiter.acquire('other');
      times.push(clock.now());
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps.slice(0, 2).every((g) => g >= 500)).toBe(true);
    expect(gaps.slice(2).every((g) => g >= 100)).toBe(true);
  });

  it.each([
    ['2', 2000],
    ['0.5', 500],
    [new Date(1_000_000 + 3000).toUTCString(), 2000],
    ['soon', undefined],
  ] as [string, number | undefined][])('reads Retry-After %s as %s ms', (header, expected) => {
    const ms = retryAfterMs(header, 1_000_000);
    if (expected === undefined) expect(ms).toBeUndefined();
    else expect(ms).toBeGreaterThanOrEqual(expected);
  });
});
