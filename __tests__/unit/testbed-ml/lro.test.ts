import { OperationStore, locationPollOutcome, operationUrls, statusBody } from '../../../testbed/machine-learning/lro';

function store(): OperationStore {
  let n = 0;
  return new OperationStore(() => `op-${++n}`, () => new Date('2025-01-02T03:04:05.000Z'));
}

describe('long-running operations', () => {
  it('starts InProgress and ends Succeeded with an end time', () => {
    const ops = store();
    const op = ops.start();
    expect(statusBody(op)).toEqual({ id: 'op-1', name: 'op-1', status: 'InProgress', startTime: '2025-01-02T03:04:05.000Z' });
    ops.succeed(op.id);
    expect(statusBody(ops.get(op.id)!)).toMatchObject({ status: 'Succeeded', endTime: '2025-01-02T03:04:05.000Z' });
  });

  it('carries the Azure error of a failed operation', () => {
    const ops = store();
    const op = ops.start();
    ops.fail(op.id, { code: 'ImageNotFound', message: 'no such image' });
    expect(statusBody(op)).toMatchObject({ status: 'Failed', error: { code: 'ImageNotFound', message: 'no such image' } });
  });

  it('keeps a terminal state when a late completion arrives', () => {
    const ops = store();
    const a = ops.start();
    ops.fail(a.id, { code: 'OutOfQuota', message: 'quota' });
    ops.succeed(a.id);
    expect(a.status).toBe('Failed');
    const b = ops.start();
    ops.succeed(b.id);
    ops.fail(b.id, { code: 'X', message: 'y' });
    expect(b.status).toBe('Succeeded');
    expect(b.error).toBeUndefined();
  });

  it('answers Location polls 202 while running, then 200 with the result, or the error', () => {
    const ops = store();
    const running = ops.start();
    expect(locationPollOutcome(running)).toEqual({ status: 202 });
    ops.succeed(running.id, () => ({ name: 'ep' }));
    expect(locationPollOutcome(running)).toEqual({ status: 200, body: { name: 'ep' } });
    const deleted = ops.start();
    ops.succeed(deleted.id);
    expect(locationPollOutcome(deleted)).toEqual({ status: 200 });
    const failed = ops.start();
    ops.fail(failed.id, { code: 'BadArgument', message: 'm' });
    expect(locationPollOutcome(failed)).toEqual({ status: 400, body: { error: { code: 'BadArgument', message: 'm' } } });
  });

  it('hands out status and result URLs under the location, like Azure ML', () => {
    const urls = operationUrls('https://127.0.0.1:8443/', 'sub', 'westeurope', 'abc');
    expect(urls.status).toBe(
      'https://127.0.0.1:8443/subscriptions/sub/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/abc?api-version=2022-10-01&type=async',
    );
    expect(urls.result).toContain('/locations/westeurope/mfeOperationResults/abc?api-version=2022-10-01');
  });
});
