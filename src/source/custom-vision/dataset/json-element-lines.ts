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
