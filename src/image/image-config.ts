/**
 * The registry path's "build": the rendered Dockerfile only sets EXPOSE and CMD over its base, so the
 * image is the base's layers with a new config. The config is changed as BuildKit (docker buildx,
 * the builder on hosted runners) changes it: ExposedPorts merged, Cmd replaced, --label merged into
 * Labels, and one empty-layer history entry per instruction with BuildKit's created_by text
 * (moby/buildkit frontend/dockerfile/dockerfile2llb: "EXPOSE %v" of the port set, "CMD %q" of the argv).
 * Image config spec: https://github.com/opencontainers/image-spec/blob/main/config.md
 */
import { UserInputError } from '../errors';

export interface DockerfileEdits {
  from: string;
  exposedPorts: string[];
  cmd?: string[];
}

/** FROM, EXPOSE and exec-form CMD are all the registry path can apply; anything else needs a real build. */
export function parseTemplateDockerfile(text: string, file: string): DockerfileEdits {
  let from: string | undefined;
  const exposedPorts: string[] = [];
  let cmd: string[] | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [, instruction, rest] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const where = { file, line: i + 1 };
    switch (instruction.toUpperCase()) {
      case 'FROM':
        if (from) throw new UserInputError(`${file}:${i + 1}: a second FROM needs a docker build (image-build: docker).`, where);
        from = rest.trim();
        break;
      case 'EXPOSE':
        for (const p of rest.trim().split(/\s+/)) exposedPorts.push(p.includes('/') ? p.toLowerCase() : `${p}/tcp`);
        break;
      case 'CMD': {
        let argv: unknown;
        try {
          argv = JSON.parse(rest);
        } catch {
          argv = undefined;
        }
        if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
          throw new UserInputError(`${file}:${i + 1}: CMD must be in exec form (a JSON array of strings) for image-build: registry.`, where);
        }
        cmd = argv as string[];
        break;
      }
      default:
        throw new UserInputError(`${file}:${i + 1}: ${instruction} is not one of FROM, EXPOSE, CMD, which is all image-build: registry applies; use image-build: docker.`, where);
    }
  });
  if (!from) throw new UserInputError(`${file} has no FROM line.`, { file });
  return { from, exposedPorts, cmd };
}

type Json = Record<string, unknown>;

/** BuildKit's created_by text for EXPOSE: Go's %v of map[string]struct{} (keys sorted). */
function exposeText(ports: string[]): string {
  return `EXPOSE map[${[...new Set(ports)].sort().map((p) => `${p}:{}`).join(' ')}]`;
}

/** Go's %q of a []string: ["a" "b"] with Go string quoting (JSON's is the same for printable text). */
function cmdText(argv: string[]): string {
  return `CMD [${argv.map((a) => JSON.stringify(a)).join(' ')}]`;
}

export function deriveImageConfig(base: Json, edits: DockerfileEdits, labels: Record<string, string>, created: string): Json {
  const config = { ...((base.config as Json | undefined) ?? {}) };
  const history = [...((base.history as Json[] | undefined) ?? [])];
  const entry = (createdBy: string): Json => ({ created, created_by: createdBy, comment: 'buildkit.dockerfile.v0', empty_layer: true });
  if (edits.exposedPorts.length) {
    const ports = { ...((config.ExposedPorts as Json | undefined) ?? {}) };
    for (const p of edits.exposedPorts) ports[p] = {};
    config.ExposedPorts = ports;
    history.push(entry(exposeText(edits.exposedPorts)));
  }
  if (edits.cmd) {
    config.Cmd = edits.cmd;
    history.push(entry(cmdText(edits.cmd)));
  }
  if (Object.keys(labels).length) config.Labels = { ...((config.Labels as Json | undefined) ?? {}), ...labels };
  return { ...base, created, config, history };
}
