/**
 * Reads a Pascal VOC annotation file into a small element tree with sax (strict, well-formed XML:
 * entities, character references, CDATA, comments, DOCTYPE skipped). Every element keeps the line
 * of its start tag.
 */
import * as sax from 'sax';

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

/** Parses a whole document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const parser = sax.parser(true, { position: true, trim: false, normalize: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let startLine = 1;
  const line = (): number => parser.line + 1;
  parser.onopentagstart = () => {
    startLine = line();
  };
  parser.onopentag = (tag) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attributes[k] = typeof v === 'string' ? v : v.value;
    const element: XmlElement = { name: tag.name, attributes, children: [], text: '', line: startLine };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) throw new XmlSyntaxError(`a second root element <${element.name}>`, startLine);
    else root = element;
    stack.push(element);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.ontext = addText;
  parser.oncdata = addText;
  parser.onerror = (e) => {
    // sax appends "\nLine: ..\nColumn: ..\nChar: .." to its message; the line goes into ours.
    let message = e.message.split('\n')[0];
    const open = stack[stack.length - 1];
    if (/close tag|Unclosed root/i.test(message) && open) message += `; <${open.name}> opened on line ${open.line} is not closed`;
    throw new XmlSyntaxError(message, line());
  };
  parser.write(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).close();
  if (!root) throw new XmlSyntaxError('no root element', line());
  return root;
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
