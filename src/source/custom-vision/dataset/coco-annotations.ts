/**
 * COCO object-detection annotations (https://cocodataset.org/#format-data): one JSON file with
 * images [{id, file_name, width, height}], annotations [{image_id, category_id, bbox: [x, y, w, h]}]
 * in pixels from the top-left corner, and categories [{id, name}].
 */
import * as path from 'path';
import { UserInputError } from '../../../errors';
import type { AnnotatedImage, ParsedAnnotations } from './annotations';
import { findNodeAtLocation, parseTree, printParseErrorCode, ParseError } from 'jsonc-parser';

interface CocoDocument {
  images?: unknown;
  annotations?: unknown;
  categories?: unknown;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** True when parsed JSON looks like COCO detection annotations (used by format detection). */
export function looksLikeCoco(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.images) && Array.isArray(doc.annotations);
}

/** Reads COCO annotations from `text` (the contents of `file`); images are looked up next to it or in images/. */
export function parseCocoAnnotations(text: string, file: string, datasetDir: string): ParsedAnnotations {
  const result: ParsedAnnotations = { format: 'coco', images: [], problems: [], warnings: [] };
  let doc: CocoDocument;
  try {
    doc = JSON.parse(text) as CocoDocument;
  } catch {
    const errors: ParseError[] = [];
    parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const line = errors.length > 0 ? lineAt(text, errors[0].offset) : undefined;
    // jsonc-parser's account (what was expected, where), not JSON.parse's engine-specific text.
    const what = errors.length > 0 ? `${printParseErrorCode(errors[0].error)} at character ${errors[0].offset + 1}` : 'unreadable';
    result.problems.push(new UserInputError(`${file}${line ? `:${line}` : ''}: not valid JSON (${what}); expected COCO annotations`, { file, line }));
    return result;
  }
  if (!looksLikeCoco(doc) || !Array.isArray(doc.categories)) {
    result.problems.push(
      new UserInputError(`${file}: expected a COCO object with "images", "annotations" and "categories" arrays`, { file }),
    );
    return result;
  }
  // JSON.parse keeps no positions; the tree is built only when a problem needs a line.
  let tree: { root: ReturnType<typeof parseTree> } | undefined;
  const lineOf = (key: string, index: number): number | undefined => {
    tree ??= { root: parseTree(text) };
    const node = tree.root && findNodeAtLocation(tree.root, [key, index]);
    return node ? lineAt(text, node.offset) : undefined;
  };
  const problem = (key: string, index: number, message: string): void => {
    const line = lineOf(key, index);
    result.problems.push(new UserInputError(`${file}${line ? `:${line}` : ''}: ${key}[${index}] ${message}`, { file, line }));
  };

  const categories = new Map<unknown, string>();
  const categoryIdsByName = new Map<string, unknown>();
  (doc.categories as unknown[]).forEach((c, i) => {
    if (!isObj(c) || c.id === undefined || typeof c.name !== 'string' || c.name.trim() === '') {
      problem('categories', i, 'needs an "id" and a non-empty "name"');
      return;
    }
    const name = c.name.trim();
    if (categoryIdsByName.has(name)) {
      problem('categories', i, `repeats the name "${name}" (id ${String(categoryIdsByName.get(name))}); expected unique category names`);
      return;
    }
    categories.set(c.id, name);
    categoryIdsByName.set(name, c.id);
  });

  const baseDir = path.dirname(file);
  const images = new Map<unknown, AnnotatedImage>();
  const seenNames = new Map<string, number>();
  (doc.images as unknown[]).forEach((img, i) => {
    if (!isObj(img) || img.id === undefined || typeof img.file_name !== 'string' || img.file_name === '') {
      problem('images', i, 'needs an "id" and a "file_name"');
      return;
    }
    if (images.has(img.id)) {
      problem('images', i, `repeats the image id ${String(img.id)}; expected unique ids`);
      return;
    }
    const name = img.file_name;
    if (seenNames.has(name)) {
      problem('images', i, `lists "${name}" again (also images[${seenNames.get(name)}]); expected each file once`);
      return;
    }
    seenNames.set(name, i);
    const declared =
      isFiniteNumber(img.width) && isFiniteNumber(img.height) ? { width: img.width, height: img.height } : undefined;
    const candidates = [...new Set([path.join(baseDir, name), path.join(baseDir, 'images', name), path.join(datasetDir, name), path.join(datasetDir, 'images', name)])];
    images.set(img.id, { name, candidates, declaredSize: declared, objects: [], at: { file, line: lineOf('images', i) } });
  });

  (doc.annotations as unknown[]).forEach((a, i) => {
    if (!isObj(a)) {
      problem('annotations', i, 'is not an object');
      return;
    }
    const image = images.get(a.image_id);
    if (!image) {
      problem('annotations', i, `refers to image_id ${JSON.stringify(a.image_id)}, which is not in "images"`);
      return;
    }
    const tag = categories.get(a.category_id);
    if (tag === undefined) {
      problem('annotations', i, `refers to category_id ${JSON.stringify(a.category_id)}, which is not in "categories"`);
      return;
    }
    const bbox = a.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber)) {
      problem('annotations', i, `has bbox ${JSON.stringify(bbox)}; expected [x, y, width, height] in pixels`);
      return;
    }
    const [x, y, width, height] = bbox as number[];
    image.objects.push({ tag, box: { x, y, width, height }, at: { file, line: lineOf('annotations', i) } });
  });

  result.images = [...images.values()];
  return result;
}

/** The line of the character at `offset` (1-based). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
