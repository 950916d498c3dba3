import { UserInputError } from '../../../src/errors';
import { parseDuration } from '../../../src/config/input-parsers';

const MAX = 120 * 60_000;

describe('traffic-step-wait', () => {
  it.each([
    ['0', 0],
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    [' 2 m ', 120_000],
  ])('reads %p as %p ms', (raw, ms) => {
    expect(parseDuration('traffic-step-wait', raw, MAX)).toBe(ms);
  });

  it.each(['', 'soon', '-5', '1h', '1.5m', '121m'])('refuses %p, naming the input and the forms it takes', (raw) => {
    expect(() => parseDuration('traffic-step-wait', raw, MAX)).toThrow(UserInputError);
    expect(() => parseDuration('traffic-step-wait', raw, MAX)).toThrow(/Input 'traffic-step-wait' is '.*'; expected a duration up to 120 minutes/);
  });
});
