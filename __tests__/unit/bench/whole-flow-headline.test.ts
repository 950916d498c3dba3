import { parseHeadline } from '../../../bench/whole-flow-bench';

describe("the flow benchmark's reading of the action's headline", () => {
  it('reads a re-run under a second, which the action prints in ms', () => {
    expect(parseHeadline('x\nblue-1 serves ep (850 ms, 12 Azure calls)\n')).toEqual({ line: 'blue-1 serves ep (850 ms, 12 Azure calls)', seconds: 0.85, azureCalls: 12 });
  });

  it('reads seconds and the last headline of the log', () => {
    expect(parseHeadline('a (1.0 s, 1 Azure call)\nb serves ep (6.3 s, 29 Azure calls)')).toMatchObject({ seconds: 6.3, azureCalls: 29 });
    expect(parseHeadline('no headline')).toBeUndefined();
  });
});
