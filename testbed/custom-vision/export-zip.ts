/**
 * The emulator's ONNX export package, laid out like Custom Vision's: cvexport.manifest, model.onnx,
 * labels.txt (CRLF, class-index order), LICENSE. The model is a real ONNX detector of the domain's
 * signature from testbed/onnx-models, finding squares drawn in the class colours.
 */
import { CustomVisionExportVariant, customVisionCompactModel, customVisionS1Model } from '../onnx-models/onnx-models';
import { writeZip } from './zip-writer';

export type ExportSignature = 's1' | 'compact';

/** `variant`: which of the references' input conventions the model follows (custom-vision-variants.ts). */
export function buildExportZip(opts: {
  signature: ExportSignature;
  labels: string[];
  iterationId: string;
  exportedAt: string;
  variant?: CustomVisionExportVariant;
}): Buffer {
  const classes = opts.labels.length;
  const variant = opts.variant ?? 'documented';
  const model = opts.signature === 's1' ? customVisionS1Model({ classes, variant }) : customVisionCompactModel({ classes, variant });
  const manifest = {
    DomainType: 'ObjectDetection',
    Platform: 'ONNX',
    Flavor: null,
    ExporterVersion: '2.0',
    ExportedDate: opts.exportedAt,
    IterationId: opts.iterationId,
    ModelFileName: 'model.onnx',
    LabelFileName: 'labels.txt',
    SchemaVersion: '1.0',
  };
  return writeZip([
    { name: 'cvexport.manifest', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: 'model.onnx', data: model },
    { name: 'labels.txt', data: Buffer.from(opts.labels.join('\r\n')) },
    { name: 'LICENSE', data: Buffer.from('Test bed export: a generated model for testing, no license terms.\n') },
  ]);
}
