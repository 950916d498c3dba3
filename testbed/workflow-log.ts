/**
 * Renders what a step printed the way GitHub's log view shows it, for a person watching the demo:
 * workflow commands (https://docs.github.com/actions/reference/workflow-commands-for-github-actions)
 * are applied, not printed. `::group::T` becomes a heading with its lines indented under it,
 * `::warning::`/`::error::`/`::notice::` become "Warning: ..." lines, `::debug::` is hidden (as
 * without ACTIONS_STEP_DEBUG), `::add-mask::` is hidden and its value shows as *** from then on,
 * and text between `::stop-commands::TOKEN` and `::TOKEN::` is printed as is.
 */

/** A line the runner would take as a workflow command (what must never reach the rendered log). */
export const WORKFLOW_COMMAND_LINE = /^\s*::[A-Za-z][\w-]*(?: [^\n]*?)?::/;

const ANNOTATIONS: Record<string, string> = { warning: 'Warning', error: 'Error', notice: 'Notice' };
/** Commands that change the runner's state and print nothing. */
const SILENT = new Set(['debug', 'add-mask', 'set-output', 'save-state', 'set-env', 'add-path', 'add-matcher', 'remove-matcher', 'echo']);

/** Message data escaping: %25 -> %, %0D -> CR, %0A -> LF (properties also escape ':' and ','). */
function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

function parseCommand(line: string): { name: string; props: Record<string, string>; message: string } | undefined {
  const m = /^\s*::([A-Za-z][\w-]*)(?: ([^\n]*?))?::(.*)$/s.exec(line);
  if (!m) return undefined;
  const props: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) props[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { name: m[1].toLowerCase(), props, message: m[3] };
}

export class WorkflowLogRenderer {
  private pending = '';
  private readonly masks: string[] = [];
  private depth = 0;
  private stopToken: string | undefined;

  /** Takes a chunk of the step's output; returns the rendered text of the lines it completed. */
  write(chunk: string): string {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((l) => this.renderLine(l.replace(/\r$/, ''))).filter((l): l is string => l !== undefined).map((l) => `${l}\n`).join('');
  }

  /** Renders the last line if it had no newline. */
  end(): string {
    const last = this.pending;
    this.pending = '';
    const rendered = last ? this.renderLine(last) : undefined;
    return rendered === undefined ? '' : `${rendered}\n`;
  }

  private renderLine(line: string): string | undefined {
    if (this.stopToken !== undefined) {
      if (line.trim() === `::${this.stopToken}::`) {
        this.stopToken = undefined;
        return undefined;
      }
      return this.show(line);
    }
    const cmd = parseCommand(line);
    if (!cmd) return this.show(line);
    const message = unescapeData(cmd.message);
    switch (cmd.name) {
      case 'add-mask':
        if (message.trim()) this.masks.push(message, ...message.split(/\r?\n/).filter((l) => l.trim().length > 1));
        this.masks.sort((a, b) => b.length - a.length);
        return undefined;
      case 'stop-commands':
        this.stopToken = cmd.message;
        return undefined;
      case 'group': {
        const heading = this.show(`▸ ${message}`);
        this.depth++;
        return heading;
      }
      case 'endgroup':
        this.depth = Math.max(0, this.depth - 1);
        return undefined;
    }
    if (ANNOTATIONS[cmd.name]) {
      const where = cmd.props.file ? ` (${cmd.props.file}${cmd.props.line ? `:${cmd.props.line}` : ''})` : '';
      const title = cmd.props.title ? `${cmd.props.title}: ` : '';
      return this.show(`${ANNOTATIONS[cmd.name]}: ${title}${message}${where}`);
    }
    if (SILENT.has(cmd.name)) return undefined;
    // A name the runner does not know: it prints the line unchanged.
    return this.show(line);
  }

  /** Masked values as ***, group contents indented; a multi-line message keeps the indent. */
  private show(text: string): string {
    let out = text;
    for (const secret of this.masks) out = out.split(secret).join('***');
    const indent = '  '.repeat(this.depth);
    return out
      .split(/\r?\n/)
      .map((l) => indent + l)
      .join('\n');
  }
}

/** Renders a whole log at once. */
export function renderWorkflowLog(text: string): string {
  const r = new WorkflowLogRenderer();
  return r.write(text) + r.end();
}
