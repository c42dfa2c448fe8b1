/**
 * The model registry: models, versions, alias moves; and the governance table.
 */
import { requestAPI } from '../request';
import { ref } from './snapshots';
import { IAliasEvent, IGovernance, IModelDetail, IModelList } from './types';

export function listModels(): Promise<IModelList> {
  return requestAPI<IModelList>('models');
}

/** A model by its bare name (not NAME:VERSION, which answers one version record). */
export function getModel(name: string): Promise<IModelDetail> {
  return requestAPI<IModelDetail>(`models/${ref(name)}`);
}

export function moveAlias(
  modelRef: string,
  alias: string,
  force = false,
  reason?: string
): Promise<IAliasEvent> {
  return requestAPI<IAliasEvent>(`models/${ref(modelRef)}/aliases`, {
    method: 'POST',
    body: JSON.stringify({ alias, force, reason: reason || undefined })
  });
}

export function rollbackAlias(
  name: string,
  alias: string,
  reason?: string
): Promise<IAliasEvent> {
  return requestAPI<IAliasEvent>(`models/${ref(`${name}@${alias}`)}/rollback`, {
    method: 'POST',
    body: JSON.stringify({ reason: reason || undefined })
  });
}

/** The models' governance table of the store of `notebook` (or of the server root). */
export function getGovernance(notebook?: string | null): Promise<IGovernance> {
  return requestAPI<IGovernance>('governance', {}, { notebook });
}
