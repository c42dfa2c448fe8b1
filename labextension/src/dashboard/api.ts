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
