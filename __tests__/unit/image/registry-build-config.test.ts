import * as fs from 'fs';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import { baseImageCredentials, imageBuildMode } from '../../../src/config/image-build-inputs';
import { parseImageReference } from '../../../src/image/base-import';
import { deriveImageConfig, parseTemplateDockerfile } from '../../../src/image/image-config';
import { renderDockerfile } from '../../../src/image/dockerfile-template';

const template = fs.readFileSync(path.join(__dirname, '../../../templates/triton.Dockerfile'), 'utf8');
const rendered = renderDockerfile(template, { baseImage: 'nvcr.io/nvidia/tritonserver:25.04-py3', modelRepository: '/models/model_repository' });

describe('the rendered Dockerfile on the registry path', () => {
  it('reads FROM, EXPOSE and CMD from the rendered template (it adds no files)', () => {
    expect(parseTemplateDockerfile(rendered, 'Dockerfile')).toEqual({
      from: 'nvcr.io/nvidia/tritonserver:25.04-py3',
      exposedPorts: ['8000/tcp'],
      cmd: ['tritonserver', '--model-repository=/models/model_repository', '--http-port=8000'],
    });
  });

  it('refuses an instruction that needs a real build, naming the file and line', () => {
    expect(() => parseTemplateDockerfile('FROM x\nCOPY a /a\n', 'my/Dockerfile')).toThrow(/my\/Dockerfile:2: COPY .*image-build: docker/);
    expect(() => parseTemplateDockerfile('FROM x\nCMD tritonserver --x\n', 'Dockerfile')).toThrow(UserInputError);
  });

  it('changes the config as docker build does: ports merged, Cmd replaced, labels merged, one empty-layer history entry each', () => {
    const base = {
      architecture: 'amd64', os: 'linux', created: '2025-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Cmd: ['bash'], ExposedPorts: { '22/tcp': {} }, Labels: { a: '1' } },
      rootfs: { type: 'layers', diff_ids: ['sha256:aa', 'sha256:bb'] },
      history: [{ created_by: 'ADD x' }, { created_by: 'RUN y' }],
    };
    const out = deriveImageConfig(base, parseTemplateDockerfile(rendered, 'Dockerfile'), { b: '2' }, '2026-01-01T00:00:00.000Z') as typeof base & { history: Record<string, unknown>[] };
    expect(out.config).toEqual({
      Env: ['PATH=/bin'],
      Cmd: ['tritonserver', '--model-repository=/models/model_repository', '--http-port=8000'],
      ExposedPorts: { '22/tcp': {}, '8000/tcp': {} },
      Labels: { a: '1', b: '2' },
    });
    expect(out.rootfs).toEqual(base.rootfs);
    expect(out.created).toBe('2026-01-01T00:00:00.000Z');
    expect(out.history.slice(2)).toEqual([
      { created: '2026-01-01T00:00:00.000Z', created_by: 'EXPOSE map[8000/tcp:{}]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
      { created: '2026-01-01T00:00:00.000Z', created_by: 'CMD ["tritonserver" "--model-repository=/models/model_repository" "--http-port=8000"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    ]);
    expect(base.config.Cmd).toEqual(['bash']); // the base is not changed
  });
});

describe('image-build and base credentials', () => {
  it('auto builds the rendered Dockerfile in the registry and a user Dockerfile with ACR Tasks', () => {
    expect(imageBuildMode('auto', false)).toBe('registry');
    expect(imageBuildMode('', true)).toBe('acr-task');
    expect(imageBuildMode('acr-task', true)).toBe('acr-task');
    expect(imageBuildMode('docker', false)).toBe('docker');
  });

  it('refuses registry for a user Dockerfile and an unknown value, naming the input', () => {
    expect(() => imageBuildMode('registry', true)).toThrow(/'image-build' is 'registry'.*'dockerfile' is set/);
    expect(() => imageBuildMode('kaniko', false)).toThrow(/Input 'image-build' is 'kaniko'; expected one of auto, registry, acr-task, docker/);
  });

  it("uses NGC's '$oauthtoken' user for nvcr.io when only the password is given", () => {
    expect(baseImageCredentials('nvcr.io/nvidia/tritonserver:25.04-py3', '', 'key')).toEqual({ username: '$oauthtoken', password: 'key' });
    expect(baseImageCredentials('nvcr.io/x:1', '', '')).toBeUndefined();
    expect(() => baseImageCredentials('ghcr.io/x:1', '', 'key')).toThrow(/'base-image-username' is empty/);
    expect(() => baseImageCredentials('ghcr.io/x:1', 'me', '')).toThrow(/'base-image-password' is empty/);
  });
});

describe('parseImageReference', () => {
  it.each([
    ['nvcr.io/nvidia/tritonserver:25.04-py3', { host: 'nvcr.io', repository: 'nvidia/tritonserver', reference: '25.04-py3' }],
    ['127.0.0.1:5000/nvidia/tritonserver:25.04-py3', { host: '127.0.0.1:5000', repository: 'nvidia/tritonserver', reference: '25.04-py3' }],
    ['ubuntu', { host: 'docker.io', repository: 'library/ubuntu', reference: 'latest' }],
    [`x.azurecr.io/a/b@sha256:${'0'.repeat(64)}`, { host: 'x.azurecr.io', repository: 'a/b', reference: `sha256:${'0'.repeat(64)}` }],
  ])('%s', (ref, expected) => expect(parseImageReference(ref)).toEqual(expected));

  it('refuses a malformed reference naming triton-base-image', () => {
    expect(() => parseImageReference('nvcr.io/NVIDIA/Triton:1')).toThrow(/'triton-base-image'/);
  });
});
