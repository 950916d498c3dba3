// Log lines of a deployment's two containers, in the shape their real counterparts print, so
// `getLogs` tells the story of what happened: the storage initializer's download and Triton's
// start-up with its model status table.
import { ModelLoadStatus } from './triton-runtime';

function stamp(now: Date): string {
  return now.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
}

export function storageLine(message: string, level: 'INFO' | 'ERROR' = 'INFO', now = new Date()): string {
  return `${stamp(now)} | storage-initializer | ${level} | ${message}`;
}

/** Triton's glog prefix: `I1122 03:00:00.123456 1 file.cc:123] message`. */
export function tritonLine(level: 'I' | 'W' | 'E', source: string, message: string, now = new Date()): string {
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(now.getUTCDate()).padStart(2, '0');
  const time = now.toISOString().slice(11, 23) + '000';
  return `${level}${mm}${dd} ${time} 1 ${source}] ${message}`;
}

export function downloadStartLines(modelUri: string, mountPath: string): string[] {
  return [storageLine('Starting storage initializer'), storageLine(`Downloading model from ${modelUri} to ${mountPath}`)];
}

export function downloadLines(files: { name: string; bytes: number }[], ms: number): string[] {
  return [
    ...files.map((f) => storageLine(`Downloaded ${f.name} (${f.bytes} bytes)`)),
    storageLine(`Downloaded ${files.length} file(s), ${files.reduce((s, f) => s + f.bytes, 0)} bytes in ${(ms / 1000).toFixed(2)} s`),
    storageLine('Storage initializer completed successfully'),
  ];
}

/** A fixed-width table like the one Triton prints after loading its repository. */
export function modelStatusTable(statuses: ModelLoadStatus[]): string[] {
  const rows = statuses.map((s) => [s.name, s.version || '-', s.state === 'READY' ? 'READY' : `UNAVAILABLE: ${s.reason || s.state}`]);
  const header = ['Model', 'Version', 'Status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [rule, line(header), rule, ...rows.map(line), rule];
}

export function tritonStartupLines(modelRepository: string, statuses: ModelLoadStatus[]): string[] {
  const lines = [
    '=============================',
    '== Triton Inference Server ==',
    '=============================',
    tritonLine('I', 'server.cc:563', `model_repository_path[0] ${modelRepository}`),
  ];
  for (const s of statuses) {
    lines.push(tritonLine('I', 'model_lifecycle.cc:461', `loading: ${s.name}:${s.version || '1'}`));
    if (s.state === 'READY') {
      lines.push(tritonLine('I', 'onnxruntime.cc:2608', `TRITONBACKEND_ModelInstanceInitialize: ${s.name}_0 (CPU device 0)`));
      lines.push(tritonLine('I', 'model_lifecycle.cc:827', `successfully loaded '${s.name}'`));
    } else {
      lines.push(tritonLine('E', 'model_lifecycle.cc:641', `failed to load '${s.name}' version ${s.version || '1'}: ${s.reason || s.state}`));
    }
  }
  lines.push(tritonLine('I', 'server.cc:604', ''), ...modelStatusTable(statuses));
  if (statuses.length > 0 && statuses.every((s) => s.state === 'READY')) {
    lines.push(tritonLine('I', 'grpc_server.cc:2495', 'Started GRPCInferenceService at 0.0.0.0:8001'));
    lines.push(tritonLine('I', 'http_server.cc:4694', 'Started HTTPService at 0.0.0.0:8000'));
    lines.push(tritonLine('I', 'http_server.cc:362', 'Started Metrics Service at 0.0.0.0:8002'));
  } else {
    const why = statuses.length === 0 ? 'no models found in the model repository' : 'one or more models failed to load';
    lines.push(tritonLine('E', 'server.cc:305', `Error: Failed to initialize inference server: ${why}`));
    lines.push(tritonLine('I', 'server.cc:307', 'Exiting immediately (--exit-on-error=true)'));
  }
  return lines;
}

/** The `tail` lines of a log, or all of it. */
export function tailLines(lines: string[], tail: number | undefined | null): string {
  const picked = typeof tail === 'number' && tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  return picked.join('\n');
}
