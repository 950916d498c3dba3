/** Renders templates/triton.Dockerfile (shipped next to dist/ in the action). Pure apart from reading the template. */
import * as fs from 'fs';
import * as path from 'path';

export function templatePath(): string {
  // dist/index.js and src/image/*.ts both find the repository's templates/ folder.
  for (const dir of [path.join(__dirname, '..', 'templates'), path.join(__dirname, '..', '..', 'templates')]) {
    const p = path.join(dir, 'triton.Dockerfile');
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`templates/triton.Dockerfile not found next to ${__dirname}`);
}

export function renderDockerfile(template: string, values: { baseImage: string; modelRepository: string }): string {
  return template.replace(/\{\{base_image\}\}/g, values.baseImage).replace(/\{\{model_repository\}\}/g, values.modelRepository);
}
