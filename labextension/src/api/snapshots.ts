/**
 * Snapshots: the list, one record, its files, tags, comparisons and drift.
 */
import { requestAPI } from '../request';
import {
  IDiff,
  IDriftReport,
  IExperimentsPage,
  IFilesPage,
  ISnapshotDetail,
  ISnapshotPage,
  ITagAdded
} from './types';

/** A ref (id prefix, tag, HEAD~N) as one URL path segment. */
export const ref = (value: string): string => encodeURIComponent(value);

export interface IListQuery {
  notebook?: string | null;
  all?: boolean;
  q?: string;
  tag?: string;
  limit?: number;
  offset?: number;
}

export function listSnapshots(query: IListQuery): Promise<ISnapshotPage> {
  return requestAPI<ISnapshotPage>(
    'snapshots',
    {},
    {
      notebook: query.notebook,
      all: query.all ? '1' : undefined,
      q: query.q,
      tag: query.tag,
      limit: query.limit,
      offset: query.offset
    }
  );
}

export function getSnapshot(
  id: string,
  notebook?: string | null
): Promise<ISnapshotDetail> {
  return requestAPI<ISnapshotDetail>(`snapshots/${ref(id)}`, {}, { notebook });
}

export function listFiles(
  id: string,
  path: string,
  offset: number,
  limit: number,
  notebook?: string | null
): Promise<IFilesPage> {
  return requestAPI<IFilesPage>(
    `snapshots/${ref(id)}/files`,
    {},
    { path, offset, limit, notebook }
  );
}

export function addTag(id: string, name: string): Promise<ITagAdded> {
  return requestAPI<ITagAdded>(`snapshots/${ref(id)}/tags`, {
    method: 'POST',
    body: JSON.stringify({ name })
  });
}

export function getDiff(
  a: string,
  b: string,
  notebook?: string | null
): Promise<IDiff> {
  return requestAPI<IDiff>('diff', {}, { a, b, notebook });
}

/** Drift of snapshot a's changed tabular files against b's. */
export function getDrift(
  a: string,
  b: string,
  notebook?: string | null
): Promise<IDriftReport> {
  return requestAPI<IDriftReport>('drift', {}, { a, b, notebook });
}

/** The most rows one `experiments` request may return (the server's limit). */
export const PAGE_ROWS = 10000;

export function listExperiments(query: {
  notebook?: string | null;
  all?: boolean;
  offset?: number;
  limit?: number;
}): Promise<IExperimentsPage> {
  return requestAPI<IExperimentsPage>(
    'experiments',
    {},
    {
      notebook: query.notebook,
      all: query.all ? '1' : undefined,
      offset: query.offset,
      limit: query.limit ?? PAGE_ROWS
    }
  );
}
