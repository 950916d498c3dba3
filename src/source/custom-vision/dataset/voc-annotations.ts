/**
 * Pascal VOC annotations: one XML file per image (<annotation> with <filename>, <size> and
 * <object><name/><bndbox><xmin/><ymin/><xmax/><ymax/></bndbox></object>). Coordinates are read as
 * pixel edges (left = xmin, width = xmax - xmin), as LabelImg and CVAT write them, so a COCO bbox
 * [x, y, w, h] and a VOC box [x, y, x + w, y + h] give the same region.
 */
import * as path from 'path';
import { UserInputError } from '../../../errors';
import type { AnnotatedImage, ParsedAnnotations } from './annotations';
import { childElement, childElements, childText, parseXml, XmlElement, XmlSyntaxError } from './xml-reader';

/** Adds one VOC file (`text` read from `file`) to `into`. */
export function addVocAnnotation(into: ParsedAnnotations, text: string, file: string, datasetDir: string): void {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    into.problems.push(new UserInputError(`${file}:${e.line}: not well-formed XML: ${e.message}`, { file, line: e.line }));
    return;
  }
  if (root.name.toLowerCase() !== 'annotation') {
    into.problems.push(
      new UserInputError(`${file}:${root.line}: the root element is <${root.name}>; expected a Pascal VOC <annotation>`, {
        file,
        line: root.line,
      }),
    );
    return;
  }
  const problem = (el: XmlElement, message: string): void => {
    into.problems.push(new UserInputError(`${file}:${el.line}: ${message}`, { file, line: el.line }));
  };
  const name = childText(root, 'filename');
  if (!name) {
    problem(root, '<annotation> has no <filename>; expected the image file name');
    return;
  }
  const size = childElement(root, 'size');
  const width = size && Number(childText(size, 'width'));
  const height = size && Number(childText(size, 'height'));
  const declaredSize = width && height && width > 0 && height > 0 ? { width, height } : undefined;

  const xmlDir = path.dirname(file);
  const image: AnnotatedImage = {
    name,
    candidates: [
      ...new Set([
        path.join(xmlDir, name),
        path.join(datasetDir, name),
        path.join(datasetDir, 'JPEGImages', name),
        path.join(xmlDir, '..', 'JPEGImages', name),
        path.join(datasetDir, 'images', name),
      ]),
    ],
    declaredSize,
    objects: [],
    at: { file, line: root.line },
  };
  for (const obj of childElements(root, 'object')) {
    const tag = childText(obj, 'name');
    if (!tag) {
      problem(obj, '<object> has no <name>; expected the object\'s tag');
      continue;
    }
    const bndbox = childElement(obj, 'bndbox');
    const edges = bndbox && ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(childText(bndbox, k) ?? NaN));
    if (!bndbox || !edges || !edges.every(Number.isFinite)) {
      problem(bndbox ?? obj, `<object> "${tag}" needs a <bndbox> with numeric <xmin>, <ymin>, <xmax>, <ymax>`);
      continue;
    }
    const [xmin, ymin, xmax, ymax] = edges;
    image.objects.push({
      tag,
      box: { x: xmin, y: ymin, width: xmax - xmin, height: ymax - ymin },
      at: { file, line: bndbox.line },
    });
  }
  into.images.push(image);
}
