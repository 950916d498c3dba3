import { WORKFLOW_COMMAND_LINE, WorkflowLogRenderer, renderWorkflowLog } from '../../../testbed/workflow-log';

describe('the demo renders a step log as GitHub shows it', () => {
  it('turns a group into a heading with its lines indented under it', () => {
    expect(renderWorkflowLog('::group::Plan (read-only)\nmodel: create\n::endgroup::\ndone\n')).toBe('▸ Plan (read-only)\n  model: create\ndone\n');
  });

  it('shows warnings, errors and notices as labelled lines, with file and line when given', () => {
    const log = '::warning::quota is low\n::error file=deploy/endpoint.yml,line=3,title=Bad input::5 input problem(s):%0A- a%0A- b\n::notice::50%25 done\n';
    expect(renderWorkflowLog(log)).toBe('Warning: quota is low\nError: Bad input: 5 input problem(s):\n- a\n- b (deploy/endpoint.yml:3)\nNotice: 50% done\n');
  });

  it('hides debug lines and mask commands, and masks the value from then on', () => {
    const out = renderWorkflowLog('before s3cr3t-value\n::add-mask::s3cr3t-value\n::debug::token s3cr3t-value\nafter s3cr3t-value\n::warning::saw s3cr3t-value\n');
    expect(out).toBe('before s3cr3t-value\nafter ***\nWarning: saw ***\n');
  });

  it('prints the lines between stop-commands and its token as they are', () => {
    expect(renderWorkflowLog('::stop-commands::tok123\n::warning::not a command here\n::tok123::\n::warning::again one\n')).toBe('::warning::not a command here\nWarning: again one\n');
  });

  it('renders lines split across chunks once they are complete', () => {
    const r = new WorkflowLogRenderer();
    expect(r.write('::gro')).toBe('');
    expect(r.write('up::Deploy\nbuil')).toBe('▸ Deploy\n');
    expect(r.write('ding\n::endgroup::\n')).toBe('  building\n');
    expect(r.write('tail without newline')).toBe('');
    expect(r.end()).toBe('tail without newline\n');
  });

  it('leaves no line the runner would take as a command', () => {
    const log = ['::group::A', '::debug::d', '::add-mask::m', '::set-output name=x::1', '::warning title=t::w', '::endgroup::', 'text :: with colons'].join('\n');
    const rendered = renderWorkflowLog(log);
    expect(rendered.split('\n').filter((l) => WORKFLOW_COMMAND_LINE.test(l))).toEqual([]);
    expect(rendered).toContain('text :: with colons');
  });
});
