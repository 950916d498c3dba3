/**
 * Gets the iteration's ONNX export: reuses a finished one, waits for one in progress (also when
 * ExportIteration answers BadRequestExportAlreadyInProgress), or starts one; then downloads the zip.
 */
import type { Log } from '../../log';
import { pollUntil, PollOptions } from './polling';
import { CustomVisionApiError } from './training-http';
import type { Export, TrainingClient } from './training-client';

const PLATFORM = 'ONNX';

/** The default-flavour ONNX export among `exports` (a float16 or ONNX10/12 flavour is another file). */
export function onnxExport(exports: Export[]): Export | undefined {
  return exports.find((e) => e.platform === PLATFORM && !e.flavor);
}

export async function downloadOnnxExport(
  client: TrainingClient,
  projectId: string,
  iterationId: string,
  poll: Omit<PollOptions, 'what'>,
  log: Log,
): Promise<Buffer> {
  const current = onnxExport(await client.getExports(projectId, iterationId));
  const reusable = current?.status === 'Done' && current.downloadUri && !current.newerVersionAvailable;
  if (reusable) log.info('Reusing the finished ONNX export');
  else if (current?.status === 'Exporting') log.info('An ONNX export is already in progress; waiting for it');
  else {
    try {
      await client.exportIteration(projectId, iterationId, PLATFORM);
      log.info('Exporting the iteration as ONNX');
    } catch (e) {
      if (!(e instanceof CustomVisionApiError && e.code === 'BadRequestExportAlreadyInProgress')) throw e;
      log.info('An ONNX export is already in progress; waiting for it');
    }
  }
  const done = reusable
    ? current
    : await pollUntil(
        async () => {
          const e = onnxExport(await client.getExports(projectId, iterationId));
          if (e?.status === 'Failed') throw new Error(`Custom Vision ONNX export of iteration ${iterationId} ended with status Failed`);
          return e?.status === 'Done' && e.downloadUri ? e : undefined;
        },
        { ...poll, what: `the ONNX export of iteration ${iterationId}` },
      );
  const zip = await client.download(done.downloadUri!);
  log.info(`Downloaded the ONNX export (${(zip.length / 1048576).toFixed(1)} MB)`);
  return zip;
}
