/**
 * The files of a Custom Vision ONNX export zip. Its layout (as unpacked by users of the export):
 * cvexport.manifest (JSON: DomainType, Platform, ModelFileName, LabelFileName, ...), model.onnx,
 * labels.txt (one tag per line, in class-index order), LICENSE, and sample code folders
 * (python/, CSharp/). The manifest names the model and labels files when present.
 */
import * as yauzl from 'yauzl';

export class ZipFormatError extends Error {}

/**
 * No file of an export is near this (compact models are a few MB). A larger declared size is
 * refused before it is inflated, and yauzl stops an entry that inflates past its declared size,
 * so a zip bomb cannot grow memory past the cap.
 */
export const MAX_EXPORT_ENTRY_BYTES = 128 * 1024 * 1024;

/** File name -> contents of a ZIP archive held in memory; folders are skipped. */
export async function readZip(zip: Buffer, maxEntryBytes = MAX_EXPORT_ENTRY_BYTES): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let archive: yauzl.ZipFile | undefined;
  let current: yauzl.Entry | undefined;
  try {
    archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
    for await (const entry of archive.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > maxEntryBytes) {
        throw new ZipFormatError(`${entry.fileName} unpacks to ${entry.uncompressedSize} bytes, past the limit of ${maxEntryBytes / 1024 / 1024} MiB`);
      }
      current = entry;
      const chunks: Buffer[] = [];
      for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      files.set(entry.fileName, Buffer.concat(chunks));
    }
  } catch (e) {
    if (e instanceof ZipFormatError) throw e;
    // yauzl stops an entry that inflates past the size it declares (a lying zip bomb).
    if (current && /too many bytes in the stream/.test((e as Error).message)) {
      throw new ZipFormatError(`${current.fileName} inflates to more than its declared ${current.uncompressedSize} bytes`);
    }
    throw new ZipFormatError(`not a readable ZIP archive (${(e as Error).message})`);
  } finally {
    archive?.close();
  }
  return files;
}

export interface ExportPackage {
  model: Buffer;
  labels: string[];
  manifest?: Record<string, unknown>;
}

export async function readExportPackage(zip: Buffer): Promise<ExportPackage> {
  const files = await readZip(zip);
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
