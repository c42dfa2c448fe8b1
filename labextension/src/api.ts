/**
 * Typed calls of the jupyter_mlver REST API (jupyter_mlver/server/openapi.yaml).
 */
import { requestAPI } from './request';

export type Scalar = number | string | boolean;
export type Value = Scalar | Scalar[];

export interface ISnapshotSummary {
  id: string;
  created: string;
  /** Relative to the server root (or the store when outside it); null outside notebooks. */
  notebook: string | null;
  parent: string | null;
  environment: string;
  tags: string[];
  message: string;
  author: { name?: string; email?: string } | null;
  params: Record<string, Scalar>;
  metrics: Record<string, Value>;
  git: { commit: string | null; branch: string | null; dirty: boolean } | null;
  data_files: number;
  data_bytes: number;
  warnings: number;
  source: string | null;
  /** Remotes this store knows hold the record (pushed from here or pulled from there). */
  pushed: string[];
}

export interface ISnapshotPage {
  snapshots: ISnapshotSummary[];
  total: number;
  offset: number;
  limit: number;
  latest: string | null;
  generation: number;
  store: string;
}

export interface IListQuery {
  notebook?: string | null;
  all?: boolean;
  q?: string;
  tag?: string;
  limit?: number;
  offset?: number;
}

export interface IDataEntry {
  path: string;
  role: 'input' | 'output' | 'tracked';
  hash: string;
  size: number;
  stored: boolean;
  /** 'tree': a directory recorded as a tree object; its files come from `listFiles`. */
  kind?: 'file' | 'tree';
  files?: number;
  unstored?: string[];
}

export interface IFilesPage {
  snapshot: string;
  path: string;
  files: IDataEntry[];
  total: number;
  offset: number;
  limit: number;
}

export interface IPackage {
  name: string;
  version: string;
  source?: string;
  url?: string | null;
  commit?: string | null;
}

export interface ISnapshotRecord {
  id: string;
  schema: string;
  parent: string | null;
  created: string;
  author: { name?: string; email?: string } | null;
  message: string;
  tags: string[];
  notebook: {
    path: string | null;
    hash: string;
    source: string;
    kernel: { name?: string; language?: string };
  } | null;
  execution: {
    cells?: { count: number; code_hash: string }[];
    warnings?: IWarning[];
    [key: string]: any;
  } | null;
  namespace: Record<string, { type: string; summary: string }> | null;
  params: Record<string, Scalar>;
  metrics: Record<string, Value>;
  data: IDataEntry[];
  environment: string;
  git: {
    root: string;
    commit: string;
    branch: string | null;
    remote: string | null;
    dirty: boolean;
    diff: string | null;
    untracked: string[];
  } | null;
  mlver_version: string;
  [key: string]: any;
}

export type IWarning =
  string | { kind?: string; message?: string; [k: string]: any };

export interface IEnvironmentRecord {
  id: string;
  python: { version: string; implementation: string; executable: string };
  platform: {
    system: string;
    release: string;
    machine: string;
    libc?: string;
    os_release?: string;
  };
  hardware: {
    cpu: string;
    cores: number;
    memory_bytes: number;
    gpus: { name: string; memory_bytes?: number; driver?: string }[];
  };
  packages: IPackage[];
  fingerprint: string;
  [key: string]: any;
}

export interface IImageRecord {
  id: string;
  image_id: string;
  repo_digests: string[];
  tags: string[];
  base: string;
  created: string;
  build_seconds: number;
  reused: boolean;
  [key: string]: any;
}

export interface ISnapshotDetail {
  record: ISnapshotRecord;
  environment: IEnvironmentRecord | null;
  images: IImageRecord[];
  tags: string[];
  notebook_path: string | null;
  git_diff: { text: string; bytes: number; truncated: boolean } | null;
  /** Every configured remote, and whether the record (and its data copies) is there. */
  remotes: { name: string; pushed: boolean; data: boolean }[];
}

export type ChangeStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface IValueChange {
  key: string;
  a: Value | null;
  b: Value | null;
  status: ChangeStatus;
  delta: number | null;
}

export interface IDiffSide {
  id: string;
  created: string;
  message: string;
  notebook: string | null;
  tags: string[];
}

export interface IGitSide {
  commit: string | null;
  branch: string | null;
  dirty: boolean;
}

export interface ICellChange {
  status: 'added' | 'removed' | 'changed';
  a_index: number | null;
  b_index: number | null;
  a_source: string | null;
  b_source: string | null;
  outputs: { a: string; b: string };
  [key: string]: any;
}

export interface IDiff {
  schema: 'mlver.diff/1';
  a: IDiffSide;
  b: IDiffSide;
  params: IValueChange[];
  metrics: IValueChange[];
  data: {
    path: string;
    status: 'added' | 'removed' | 'changed';
    a: { hash: string; size: number } | null;
    b: { hash: string; size: number } | null;
  }[];
  packages: {
    name: string;
    status: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed';
    a: string | null;
    b: string | null;
  }[];
  python: { a: string; b: string } | null;
  platform: { a: string; b: string } | null;
  git: {
    a: IGitSide | null;
    b: IGitSide | null;
    same_commit: boolean;
    same_code?: boolean;
    commits: { sha: string; summary: string }[];
    commits_omitted?: number;
  };
  notebook: { a: string | null; b: string | null; cells: ICellChange[] };
  warnings: { a: IWarning[]; b: IWarning[] };
  summary: {
    params: number;
    metrics: number;
    data: number;
    packages: number;
    cells: number;
  };
}

export interface IJob {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  params: Record<string, any>;
  created: string;
  started: string | null;
  finished: string | null;
  phase: string | null;
  message: string;
  step: number | null;
  total: number | null;
  log: string[];
  log_lines: number;
  /** A build's result (image, tags, reused), or a run's (`runs`: `jupyter mlver run --json`). */
  result: {
    runs?: IRunResult[];
    metric?: string | null;
    image?: string | null;
    tags?: string[];
    reused?: boolean;
    record: IImageRecord | null;
    notes?: string[];
    unreproducible?: { name?: string; reason?: string }[];
  } | null;
  error: { code: string; message: string; hint?: string | null } | null;
}

/** One run of `POST runs` (the `jupyter mlver run --json` shape). */
export interface IRunResult {
  index: number;
  params: Record<string, Scalar>;
  status: 'ok' | 'failed';
  snapshot: string | null;
  metrics: Record<string, Value>;
  output: string;
  error: { error: string; cell?: number } | null;
}

const ref = (value: string): string => encodeURIComponent(value);

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

export function getDiff(
  a: string,
  b: string,
  notebook?: string | null
): Promise<IDiff> {
  return requestAPI<IDiff>('diff', {}, { a, b, notebook });
}

export function getStoredNotebook(hash: string): Promise<any> {
  return requestAPI<any>(`notebooks/${ref(hash)}`);
}

export function addTag(
  id: string,
  name: string
): Promise<{ name: string; snapshot: string; tags: string[] }> {
  return requestAPI(`snapshots/${ref(id)}/tags`, {
    method: 'POST',
    body: JSON.stringify({ name })
  });
}

export function startImageBuild(options: {
  snapshot: string;
  tag?: string;
  base?: string;
}): Promise<{ job: string; url: string }> {
  return requestAPI('images', {
    method: 'POST',
    body: JSON.stringify(options)
  });
}

export function getJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${ref(id)}`, {}, { log_lines: 30 });
}

// -- the model registry ---------------------------------------------------------------

export interface IAuthor {
  name?: string;
  email?: string | null;
}

/** A model version (mlver.model/1). */
export interface IModelRecord {
  id: string;
  schema: 'mlver.model/1';
  name: string;
  version: number;
  artifact: {
    hash: string;
    kind: 'file' | 'dir' | 'object';
    path: string | null;
    size: number;
    files?: { path: string; hash: string; size: number }[];
  };
  flavor: string;
  signature: {
    format: string;
    inputs: { name: string; dtype: string }[];
  } | null;
  snapshot: string;
  gate: { metric: string; higher_is_better: boolean } | null;
  author: IAuthor | null;
  created: string;
  description: string;
}

/** One move of an alias (mlver.alias/1), oldest first in a history. */
export interface IAliasEvent {
  id: string;
  schema: 'mlver.alias/1';
  model: string;
  alias: string;
  version: number;
  previous: number | null;
  author: IAuthor | null;
  created: string;
  reason: string | null;
  forced: boolean;
  rollback: boolean;
  model_record: string;
}

export interface IModelSummary {
  name: string;
  latest: number;
  versions: number;
  /** alias -> the version holding it */
  aliases: Record<string, number>;
}

export interface IModelDetail {
  name: string;
  latest: number;
  aliases: Record<string, number>;
  /** Aliases that only take a version whose gate metric is no worse than the holder's. */
  guarded: string[];
  versions: IModelRecord[];
  events: IAliasEvent[];
  snapshots: Record<
    string,
    {
      created: string;
      message: string;
      metrics: Record<string, Value>;
      notebook: string | null;
    }
  >;
  /** The serving images of each version (`model build`), by version record id, newest first. */
  images: Record<string, IImageRecord[]>;
  generation: number;
}

export function listModels(): Promise<{
  models: IModelSummary[];
  generation: number;
}> {
  return requestAPI('models');
}

export function getModel(name: string): Promise<IModelDetail> {
  return requestAPI<IModelDetail>(`models/${ref(name)}`);
}

export function moveAlias(
  modelRef: string,
  alias: string,
  force = false,
  reason?: string
): Promise<IAliasEvent> {
  return requestAPI(`models/${ref(modelRef)}/aliases`, {
    method: 'POST',
    body: JSON.stringify({ alias, force, reason: reason || undefined })
  });
}

export function rollbackAlias(
  name: string,
  alias: string,
  reason?: string
): Promise<IAliasEvent> {
  return requestAPI(`models/${ref(`${name}@${alias}`)}/rollback`, {
    method: 'POST',
    body: JSON.stringify({ reason: reason || undefined })
  });
}

export function startRun(options: {
  notebook: string;
  params: Record<string, Scalar>;
  sweep: Record<string, Scalar[]>;
  jobs: number;
  metric?: string;
}): Promise<{ job: string; url: string; runs: number }> {
  return requestAPI('runs', {
    method: 'POST',
    body: JSON.stringify(options)
  });
}
