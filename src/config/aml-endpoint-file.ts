/** Maps an Azure ML CLI v2 managedOnlineEndpoint YAML onto the action's endpoint settings. */
import { UserInputError } from '../errors';
import { parseAmlYaml, type FieldKind } from './aml-yaml';
import { shorten } from './input-limits';

const FIELDS: Record<string, FieldKind> = {
  $schema: 'ignored',
  name: 'string',
  auth_mode: 'string',
  description: 'string',
  tags: 'map',
  traffic: 'map',
  public_network_access: 'string',
  identity: 'object',
};

export interface EndpointFileSettings {
  name?: string;
  authMode?: 'key' | 'aml_token';
  description?: string;
  tags?: Record<string, string>;
  notes: string[];
}

export function readEndpointFile(text: string, file: string): EndpointFileSettings {
  const y = parseAmlYaml(text, file, FIELDS);
  const get = <T>(k: string) => y.fields.get(k)?.value as T | undefined;
  const notes: string[] = [];
  const auth = get<string>('auth_mode');
  let authMode: 'key' | 'aml_token' | undefined;
  if (auth !== undefined) {
    const a = auth.toLowerCase();
    if (a !== 'key' && a !== 'aml_token') {
      throw new UserInputError(`${file}: auth_mode '${shorten(auth)}' is not 'key' or 'aml_token'.`, {
        file,
        line: y.fields.get('auth_mode')?.line,
      });
    }
    authMode = a;
  }
  if (get('traffic')) notes.push(`${file}: 'traffic' is managed by the action's rollout (traffic-steps); ignored.`);
  if (get('identity')) notes.push(`${file}: 'identity' is not changed by the action; ignored.`);
  const tags = get<Record<string, unknown>>('tags');
  return {
    name: get<string>('name'),
    authMode,
    description: get<string>('description'),
    tags: tags ? Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])) : undefined,
    notes,
  };
}
