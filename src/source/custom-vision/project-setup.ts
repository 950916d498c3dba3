/** Finds or creates the Custom Vision project (with an exportable object-detection domain) and its tags. */
import { UserInputError } from '../../errors';
import type { Log } from '../../log';
import { CustomVisionApiError } from './training-http';
import type { Domain, Project, TrainingClient } from './training-client';

export interface ProjectChoice {
  projectId?: string;
  projectName?: string;
  domain: string;
  /** Create a missing project (only worth it with a dataset to train). */
  allowCreate: boolean;
}

export interface ResolvedProject {
  project: Project;
  domain: Domain;
  created: boolean;
}

/** Finds or creates the project. */
export async function resolveProject(client: TrainingClient, choice: ProjectChoice, log: Log): Promise<ResolvedProject> {
  const found = await findProject(client, choice, log);
  if (found.project) return { project: found.project, domain: found.domain, created: false };
  const created = await client.createProject(choice.projectName!, found.domain.id, 'Created by aml-triton-deploy');
  log.info(`Created Custom Vision project "${created.name}" (${created.id}) with domain "${found.domain.name}"`);
  return { project: created, domain: found.domain, created: true };
}

/**
 * Reads only: the project (undefined when it is missing and may be created) and the domain it has or
 * would get. Refuses a missing project that may not be created and a domain that cannot be exported.
 */
export async function findProject(client: TrainingClient, choice: ProjectChoice, log: Log): Promise<{ project?: Project; domain: Domain }> {
  const domains = await client.getDomains();
  const exportable = domains.filter((d) => d.type === 'ObjectDetection' && d.exportable);
  const wanted = exportable.find((d) => d.name === choice.domain);
  if (!wanted) {
    throw new UserInputError(
      `custom-vision-domain "${choice.domain}" is not an exportable object-detection domain of this resource; ` +
        `expected one of: ${exportable.map((d) => `"${d.name}"`).join(', ') || 'none offered'}`,
      { input: 'custom-vision-domain' },
    );
  }
  let project: Project | undefined;
  if (choice.projectId) {
    try {
      project = await client.getProject(choice.projectId);
    } catch (e) {
      if (e instanceof CustomVisionApiError && (e.status === 404 || e.code.startsWith('NotFound') || e.code === 'BadRequestInvalidIds')) {
        throw new UserInputError(`custom-vision-project-id "${choice.projectId}": no such project for this training key (${e.code})`, {
          input: 'custom-vision-project-id',
        });
      }
      throw e;
    }
  } else if (choice.projectName) {
    project = (await client.getProjects()).find((p) => p.name === choice.projectName);
  } else {
    throw new UserInputError('set custom-vision-project-name (found or created) or custom-vision-project-id', {
      input: 'custom-vision-project-name',
    });
  }
  if (!project && !choice.allowCreate) {
    throw new UserInputError(
      `Custom Vision project "${choice.projectName}" does not exist and no 'custom-vision-dataset' is given to train a new one`,
      { input: 'custom-vision-project-name' },
    );
  }
  if (!project) return { domain: wanted };
  const domain = domains.find((d) => d.id === project.settings.domainId);
  if (!domain || domain.type !== 'ObjectDetection' || !domain.exportable) {
    throw new UserInputError(
      `Custom Vision project "${project.name}" (${project.id}) uses domain "${domain?.name ?? project.settings.domainId}", ` +
        'which is not an exportable object-detection domain; expected "General (compact) [S1]" or "General (compact)" (change it in the project settings)',
      { input: choice.projectId ? 'custom-vision-project-id' : 'custom-vision-project-name' },
    );
  }
  if (domain.id !== wanted.id) {
    log.warning(`Custom Vision project "${project.name}" uses domain "${domain.name}", not "${wanted.name}"; keeping the project's domain`);
  }
  log.info(`Using Custom Vision project "${project.name}" (${project.id}), domain "${domain.name}"`);
  return { project, domain };
}

/** Tag name -> id, creating the tags the project lacks. */
export async function ensureTags(client: TrainingClient, projectId: string, names: string[], log: Log): Promise<Map<string, string>> {
  const ids = new Map((await client.getTags(projectId)).map((t) => [t.name, t.id]));
  for (const name of names) {
    if (ids.has(name)) continue;
    const tag = await client.createTag(projectId, name);
    ids.set(name, tag.id);
    log.info(`Created tag "${name}"`);
  }
  return ids;
}
