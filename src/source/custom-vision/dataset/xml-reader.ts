/**
 * A small, tolerant XML reader for Pascal VOC annotation files: elements, text, attributes,
 * comments, CDATA, processing instructions and DOCTYPE (skipped), the five predefined entities
 * and character references. No namespaces, no DTD expansion. Every element keeps its line.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element, entity-decoded, not trimmed. */
  text: string;
  line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a whole document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  let pos = 0;
  let line = 1;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const advanceTo = (end: number): void => {
    for (let i = pos; i < end; i++) if (text.charCodeAt(i) === 10) line++;
    pos = end;
  };
  const skipPast = (terminator: string, what: string): void => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) throw new XmlSyntaxError(`unterminated ${what}`, line);
    advanceTo(end + terminator.length);
  };

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt < 0 ? text.length : lt;
    if (textEnd > pos) {
      const chunk = text.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chunk, line);
      else if (chunk.trim() !== '') throw new XmlSyntaxError(`text outside the root element: "${chunk.trim().slice(0, 30)}"`, line);
      advanceTo(textEnd);
      continue;
    }
    if (text.startsWith('<!--', pos)) skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos);
      if (end < 0) throw new XmlSyntaxError('unterminated CDATA section', line);
      const top = stack[stack.length - 1];
      if (top) top.text += text.slice(pos + 9, end);
      advanceTo(end + 3);
    } else if (text.startsWith('<?', pos)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!', pos)) skipPast('>', 'declaration');
    else if (text.startsWith('</', pos)) {
      const end = text.indexOf('>', pos);
      if (end < 0) throw new XmlSyntaxError('unterminated end tag', line);
      const name = text.slice(pos + 2, end).trim();
      const top = stack.pop();
      if (!top) throw new XmlSyntaxError(`end tag </${name}> without a start tag`, line);
      if (top.name !== name) {
        throw new XmlSyntaxError(`end tag </${name}> does not match <${top.name}> opened on line ${top.line}`, line);
      }
      advanceTo(end + 1);
    } else {
      const end = findTagEnd(text, pos);
      if (end < 0) throw new XmlSyntaxError('unterminated start tag', line);
      const selfClosing = text[end - 1] === '/';
      const inner = text.slice(pos + 1, selfClosing ? end - 1 : end);
      const m = /^([^\s/>]+)([\s\S]*)$/.exec(inner);
      if (!m) throw new XmlSyntaxError('start tag without a name', line);
      const element: XmlElement = { name: m[1], attributes: parseAttributes(m[2], line), children: [], text: '', line };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlSyntaxError(`a second root element <${element.name}>`, line);
      else root = element;
      advanceTo(end + 1);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new XmlSyntaxError(`<${open.name}> opened on line ${open.line} is never closed`, line);
  }
  if (!root) throw new XmlSyntaxError('no root element', line);
  return root;
}

/** The index of the '>' closing a start tag, skipping '>' inside quoted attribute values. */
function findTagEnd(text: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

function parseAttributes(source: string, line: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  const re = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"']+))/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    attributes[m[1]] = decodeEntities(m[3] ?? m[4] ?? m[5] ?? '', line);
  }
  return attributes;
}

function decodeEntities(s: string, line: number): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);?/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`, line);
    return named;
  });
}

/** The first child element with this name (case-insensitive: VOC writers disagree on case). */
export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  const wanted = name.toLowerCase();
  return parent.children.find((c) => c.name.toLowerCase() === wanted);
}

export function childElements(parent: XmlElement, name: string): XmlElement[] {
  const wanted = name.toLowerCase();
  return parent.children.filter((c) => c.name.toLowerCase() === wanted);
}

/** Trimmed text of a child element, or undefined when the child is missing. */
export function childText(parent: XmlElement, name: string): string | undefined {
  return childElement(parent, name)?.text.trim();
}
