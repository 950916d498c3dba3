/**
 * Writes github-rest-operations.json: the operations the action calls, cut out of GitHub's published
 * OpenAPI description (dereferenced), with descriptions and examples dropped to keep it small.
 * Source: the npm package @octokit/openapi (generated/api.github.com.deref.json, GitHub's
 * github/rest-api-description with Octokit's x-octokit extension).
 *
 *   npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
 *   npx tsx testbed/github-api/extract-operations.ts package/generated/api.github.com.deref.json
 */
import * as fs from 'fs';
import * as path from 'path';

export const OPERATIONS: [method: string, path: string][] = [
  ['post', '/repos/{owner}/{repo}/deployments'],
  ['post', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
];

const DROP = new Set(['description', 'example', 'examples', 'externalDocs', 'summary', 'x-github', 'x-octokit']);

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // A property *named* description (inside `properties`) stays; the annotation is dropped.
    if (DROP.has(k) && typeof x !== 'object') continue;
    if (k === 'examples' || k === 'x-github' || k === 'x-octokit' || k === 'externalDocs') continue;
    out[k] = strip(x);
  }
  return out;
}

function main(): void {
  const file = process.argv[2];
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8')) as { name: string; version: string };
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as { openapi: string; info: { version: string }; paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: Record<string, unknown> = {};
  for (const [method, p] of OPERATIONS) {
    const op = spec.paths[p][method];
    operations[`${method.toUpperCase()} ${p}`] = strip({ operationId: op.operationId, parameters: op.parameters, requestBody: op.requestBody, responses: op.responses });
  }
  const out = { source: `${pkg.name} ${pkg.version}, generated/api.github.com.deref.json (OpenAPI ${spec.openapi}; from github/rest-api-description), npm integrity sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==`, operations };
  fs.writeFileSync(path.join(__dirname, 'github-rest-operations.json'), `${JSON.stringify(out, null, 1)}\n`);
}

if (require.main === module) main();
