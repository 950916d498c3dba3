/**
 * The files of a Custom Vision ONNX export zip. Its layout (as unpacked by users of the export):
 * cvexport.manifest (JSON: DomainType, Platform, ModelFileName, LabelFileName, ...), model.onnx,
 * labels.txt (one tag per line, in class-index order), LICENSE, and sample code folders
 * (python/, CSharp/). The manifest names the model and labels files when present.
 */
import { readZip } from './zip-reader';

export interface ExportPackage {
  model: Buffer;
  labels: string[];
  manifest?: Record<string, unknown>;
}

export function readExportPackage(zip: Buffer): ExportPackage {
  const files = readZip(zip);
  const find = (name: string): Buffer | undefined =>
    files.get(name) ?? [...files].find(([n]) => n.split('/').pop() === name.split('/').pop())?.[1];
  let manifest: Record<string, unknown> | undefined;
  const manifestBytes = find('cvexport.manifest');
  if (manifestBytes) {
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
    } catch {
      manifest = undefined;
    }
  }
  const modelName = typeof manifest?.ModelFileName === 'string' ? manifest.ModelFileName : 'model.onnx';
  const labelsName = typeof manifest?.LabelFileName === 'string' ? manifest.LabelFileName : 'labels.txt';
  const model = find(modelName);
  const labelsBytes = find(labelsName);
  const listing = [...files.keys()].join(', ');
  if (!model) throw new Error(`the Custom Vision export holds no ${modelName} (files: ${listing})`);
  if (!labelsBytes) throw new Error(`the Custom Vision export holds no ${labelsName} (files: ${listing})`);
  const labels = labelsBytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return { model, labels, manifest };
}
