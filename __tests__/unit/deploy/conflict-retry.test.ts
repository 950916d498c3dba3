import { retryOnConflict } from '../../../src/deploy/conflict-retry';
import { silentLog } from '../../../src/log';

const conflict = (retryAfter?: string) => Object.assign(new Error('Conflict'), { statusCode: 409, response: { headers: { get: (h: string) => (h === 'retry-after' ? retryAfter : undefined) } } });
const timing = { waitMs: 1, maxWaitMs: 5, retries: 3 };

describe('PUTs refused with 409 while another operation runs', () => {
  it('are tried again until one goes through', async () => {
    let tries = 0;
    const result = await retryOnConflict('Deployment d', async () => {
      if (++tries < 3) throw conflict('0');
      return 'created';
    }, new AbortController().signal, silentLog, timing);
    expect({ result, tries }).toEqual({ result: 'created', tries: 3 });
  });

  it('give up after the last retry with the 409 itself, and leave other errors alone', async () => {
    let tries = 0;
    await expect(retryOnConflict('Deployment d', async () => {
      tries++;
      throw conflict();
    }, new AbortController().signal, silentLog, timing)).rejects.toMatchObject({ statusCode: 409 });
    expect(tries).toBe(4);
    let other = 0;
    await expect(retryOnConflict('Deployment d', async () => {
      other++;
      throw Object.assign(new Error('quota'), { statusCode: 400 });
    }, new AbortController().signal, silentLog, timing)).rejects.toThrow('quota');
    expect(other).toBe(1);
  });

  it('stop when the run is cancelled', async () => {
    const abort = new AbortController();
    abort.abort(new Error('SIGTERM'));
    let tries = 0;
    await expect(retryOnConflict('Deployment d', async () => {
      tries++;
      throw conflict();
    }, abort.signal, silentLog, timing)).rejects.toMatchObject({ statusCode: 409 });
    expect(tries).toBe(1);
  });
});
