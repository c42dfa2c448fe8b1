/**
 * Typed calls of the dashboard's REST endpoints: `experiments` and `drift`
 * (jupyter_mlver/server/openapi.yaml).
 */
import { Scalar } from '../api';
import { requestAPI } from '../request';

export interface IExperiment {
  id: string;
  created: string;
  notebook: string | null;
  parent: string | null;
  message: string;
  author: string | null;
  tags: string[];
  params: Record<string, Scalar>;
  /** A logged series is here by its last value; `series` has its length. */
  metrics: Record<string, Scalar | null>;
  series: Record<string, number>;
  data_files: number;
}

export interface IExperimentsPage {
  experiments: IExperiment[];
  params: string[];
  metrics: string[];
  series: string[];
  total: number;
  offset: number;
  limit: number;
  generation: number;
}

/** The most rows one request may return (the server's limit). */
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

export interface IHistogram {
  kind: 'bins' | 'categories';
  edges?: number[];
  categories?: string[];
  reference: number[];
  current: number[];
}

export interface IColumnDrift {
  name: string;
  type: string;
  test: string | null;
  statistic: number | null;
  p_value: number | null;
  distance: number | null;
  threshold: number | null;
  drifted: boolean;
  note?: string;
  histogram?: IHistogram;
}

export interface IDriftSide {
  source: 'snapshot' | 'disk' | 'file';
  path: string;
  snapshot: string | null;
  hash: string | null;
  rows: number | null;
}

export interface IFileDrift {
  path: string;
  reference: IDriftSide;
  current: IDriftSide;
  columns: IColumnDrift[];
  drift_share: number;
  drifted: boolean;
  share_threshold?: number;
  note?: string;
}

export interface IDriftReport {
  schema: 'mlver.drift/1';
  files: IFileDrift[];
  drifted: boolean;
}

/** Drift of snapshot a's changed tabular files against b's. */
export function getDrift(
  a: string,
  b: string,
  notebook?: string | null
): Promise<IDriftReport> {
  return requestAPI<IDriftReport>('drift', {}, { a, b, notebook });
}

/** One row of `GET governance` (jupyter mlver model health --json). */
export type Action = 'retrain' | 'roll back' | 'ok';

export interface IFinding {
  rule: string;
  action: Action;
  message: string;
}

export interface IVersionLive {
  version: number;
  role: 'stable' | 'canary';
  weight: number;
  requests: number;
  error_rate: number | null;
  p95_ms: number | null;
  drift_share: number | null;
  running: boolean;
}

export interface IDeploymentLive {
  deployment: string;
  stable: number | null;
  stable_since: string | null;
  canary: number | null;
  canary_weight: number;
  drift_share: number | null;
  versions: IVersionLive[];
  note: string | null;
}

export interface IModelHealth {
  name: string;
  latest: number;
  versions: number;
  /** The version judged: the configured alias's holder, else the deployed, else the latest. */
  version: number;
  aliases: Record<string, { version: number; since: string }>;
  deployed: { version: number; since: string | null; via: string } | null;
  metric: {
    name: string;
    higher_is_better: boolean;
    source: 'gate' | 'config' | 'first';
    value: number | null;
    values: Record<string, number>;
  } | null;
  trend: {
    versions: number[];
    values: number[];
    slope: number;
    falling: boolean;
  } | null;
  freshness: {
    snapshot: string;
    snapshot_created: string;
    snapshot_age_seconds: number;
    files: number;
    newest_file: string | null;
    data_recorded: string | null;
    data_age_seconds: number | null;
  } | null;
  drift_share: number | null;
  deployments: IDeploymentLive[];
  recommendation: { action: Action; reason: string; findings: IFinding[] };
}

export interface IGovernance {
  models: IModelHealth[];
  rules: Record<string, any>;
  now: string | null;
  live: boolean;
  notes: string[];
  generation: number;
}

/** The models' governance table of the store of `notebook` (or of the server root). */
export function getGovernance(notebook?: string | null): Promise<IGovernance> {
  return requestAPI<IGovernance>('governance', {}, { notebook });
}
