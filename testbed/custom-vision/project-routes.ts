/** GetDomains, GetDomain, GetProjects, CreateProject, GetProject, DeleteProject, GetTags, CreateTag, GetTag. */
import { csv, CvRoutes } from './cv-route';
import { CustomVisionError, DomainEntry, DOMAINS, newId, nowIso, TagEntry, TrainingState } from './training-state';
import { projectView, tagView } from './training-views';

const DEFAULT_DOMAIN = DOMAINS[0].id;

/** The spec's Domain: the emulator's own `signature` field stays inside. */
function domainView(d: DomainEntry): unknown {
  return { id: d.id, name: d.name, type: d.type, exportable: d.exportable, enabled: d.enabled };
}

export function addProjectRoutes(routes: CvRoutes, state: TrainingState): void {
  routes.add('GET', '/domains', 'GetDomains', () => ({ status: 200, body: DOMAINS.map(domainView) }));
  routes.add('GET', '/domains/:domainId', 'GetDomain', (req) => {
    const d = DOMAINS.find((x) => x.id === req.params.domainId.toLowerCase());
    if (!d) throw new CustomVisionError(404, 'NotFoundDomain', `Domain ${req.params.domainId} not found.`);
    return { status: 200, body: domainView(d) };
  });

  routes.add('GET', '/projects', 'GetProjects', () => ({ status: 200, body: [...state.projects.values()].map(projectView) }));
  routes.add('POST', '/projects', 'CreateProject', (req) => {
    const name = (req.query.get('name') ?? '').trim();
    if (!name) throw new CustomVisionError(400, 'BadRequestProjectName', 'Project name is required.');
    if ([...state.projects.values()].some((p) => p.name === name)) {
      throw new CustomVisionError(400, 'BadRequestProjectNameNotUnique', `A project named "${name}" already exists.`);
    }
    const domainId = (req.query.get('domainId') ?? DEFAULT_DOMAIN).toLowerCase();
    const domain = DOMAINS.find((d) => d.id === domainId);
    if (!domain) throw new CustomVisionError(400, 'BadRequestProjectUnknownDomain', `Unknown domain ${domainId}.`);
    const platforms = csv(req, 'targetExportPlatforms');
    if (platforms.length > 0 && !domain.exportable) {
      throw new CustomVisionError(400, 'BadRequestProjectUnsupportedExportPlatform', `Domain ${domain.name} cannot be exported.`);
    }
    const now = nowIso();
    const project = {
      id: newId(), name, description: req.query.get('description'), domainId, targetExportPlatforms: platforms,
      created: now, lastModified: now, tags: new Map(), images: new Map(), iterations: [], changedSinceTraining: true,
    };
    state.projects.set(project.id, project);
    return { status: 200, body: projectView(project) };
  });
  routes.add('GET', '/projects/:projectId', 'GetProject', (req) => ({ status: 200, body: projectView(state.project(req.params.projectId)) }));
  routes.add('DELETE', '/projects/:projectId', 'DeleteProject', (req) => {
    state.projects.delete(state.project(req.params.projectId).id);
    return { status: 204 };
  });

  routes.add('GET', '/projects/:projectId/tags', 'GetTags', (req) => {
    const p = state.project(req.params.projectId);
    return { status: 200, body: [...p.tags.values()].map((t) => tagView(p, t)) };
  });
  routes.add('POST', '/projects/:projectId/tags', 'CreateTag', (req) => {
    const p = state.project(req.params.projectId);
    const name = (req.query.get('name') ?? '').trim();
    if (!name) throw new CustomVisionError(400, 'BadRequestTagName', 'Tag name is required.');
    if ([...p.tags.values()].some((t) => t.name.toLowerCase() === name.toLowerCase())) {
      throw new CustomVisionError(400, 'BadRequestTagNameNotUnique', `Tag "${name}" already exists.`);
    }
    if (p.tags.size >= 500) throw new CustomVisionError(400, 'BadRequestExceedTagPerProjectLimit', 'At most 500 tags per project.');
    const type = (req.query.get('type') ?? 'Regular') as TagEntry['type'];
    const tag: TagEntry = { id: newId(), name, description: req.query.get('description'), type };
    p.tags.set(tag.id, tag);
    p.changedSinceTraining = true;
    return { status: 200, body: tagView(p, tag) };
  });
  routes.add('GET', '/projects/:projectId/tags/:tagId', 'GetTag', (req) => {
    const p = state.project(req.params.projectId);
    const tag = p.tags.get(req.params.tagId.toLowerCase());
    if (!tag) throw new CustomVisionError(404, 'NotFoundTag', `Tag ${req.params.tagId} not found.`);
    return { status: 200, body: tagView(p, tag) };
  });
}
