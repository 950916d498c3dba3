/**
 * Line numbers of the elements of a JSON document's top-level arrays ("images", "annotations",
 * "categories" in COCO), for error messages. JSON.parse keeps no positions, so this scans the text
 * once more, skipping strings.
 */
export function topLevelArrayElementLines(text: string): Map<string, number[]> {
  const result = new Map<string, number[]>();
  let line = 1;
  let depth = 0;
  let currentKey: string | undefined;
  let lastString: string | undefined;
  let lines: number[] | undefined;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      if (lines && depth === 2 && expectValue) lines.push(line);
      expectValue = false;
      continue;
    }
    if (c <= 32) continue;
    if (c === 58 /* : */) {
      if (depth === 1) currentKey = lastString;
      continue;
    }
    if (lines && depth === 2 && expectValue) lines.push(line);
    expectValue = false;
    if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth === 2 && c === 91 && currentKey !== undefined) {
        lines = [];
        result.set(currentKey, lines);
        expectValue = true;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth === 2) lines = undefined;
      depth--;
    } else if (c === 44 /* , */ && depth === 2 && lines) expectValue = true;
  }
  return result;
}

/** The line of the character at `offset` (1-based). */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The offset of the first JSON syntax error (RFC 8259 grammar), or undefined when the text is valid.
 * Node's JSON.parse messages do not always carry a position; this runs only after it failed.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 32) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const open = text[i];
    if (open === '{' || open === '[') {
      const close = open === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (open === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (open === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxAt) return e.offset;
    throw e;
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}
