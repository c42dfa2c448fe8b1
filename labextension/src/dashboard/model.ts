import { ISignal, Signal } from '@lumino/signaling';

import { Scalar } from '../api';
import { IExperiment, listExperiments, PAGE_ROWS } from './api';

/** The most rows the dashboard loads (the rest are summarised as not shown). */
export const MAX_ROWS = 50000;
/** How many snapshots can be picked for the series chart. */
export const MAX_PICKED = 8;

export type ChartKind = 'metric' | 'series' | 'parallel';

/** A table column: a fixed field, or a param or metric by name. */
export interface IColumn {
  key: string;
  label: string;
  kind: 'field' | 'param' | 'metric';
  name: string;
}

export const FIELD_COLUMNS: IColumn[] = [
  { key: 'id', label: 'id', kind: 'field', name: 'id' },
  { key: 'created', label: 'created', kind: 'field', name: 'created' },
  { key: 'notebook', label: 'notebook', kind: 'field', name: 'notebook' },
  { key: 'message', label: 'message', kind: 'field', name: 'message' },
  { key: 'tags', label: 'tags', kind: 'field', name: 'tags' }
];

export function cellValue(
  row: IExperiment,
  column: IColumn
): Scalar | null | undefined {
  switch (column.kind) {
    case 'param':
      return row.params[column.name];
    case 'metric':
      return row.metrics[column.name];
    default:
      if (column.name === 'tags') {
        return row.tags.join(' ');
      }
      return (row as any)[column.name] as Scalar | null;
  }
}

function isMissing(value: Scalar | null | undefined): boolean {
  return value === null || value === undefined || value === '';
}

/** Numbers (and booleans) before strings. */
function compareValues(a: Scalar, b: Scalar): number {
  const na = typeof a === 'string' ? null : Number(a);
  const nb = typeof b === 'string' ? null : Number(b);
  if (na !== null && nb !== null) {
    return na - nb;
  }
  if (na !== null || nb !== null) {
    return na !== null ? -1 : 1;
  }
  return String(a).localeCompare(String(b));
}

/**
 * The Experiments dashboard's state: every snapshot of the scope loaded once (windowed
 * in the view), filtered and sorted here, the rows picked for charts and comparison.
 */
export class ExperimentsModel {
  constructor(options: { notebook?: string | null } = {}) {
    this._notebook = options.notebook ?? null;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get notebook(): string | null {
    return this._notebook;
  }
  set notebook(value: string | null) {
    if (value !== this._notebook) {
      this._notebook = value;
      if (!this._showAll) {
        void this.refresh();
      }
      this._emit();
    }
  }

  /** Every notebook's snapshots (the default), or only the current notebook's. */
  get showAll(): boolean {
    return this._showAll || !this._notebook;
  }
  set showAll(value: boolean) {
    if (value !== this._showAll) {
      this._showAll = value;
      void this.refresh();
    }
  }

  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }
  /** Every loaded row, newest first. */
  get rows(): readonly IExperiment[] {
    return this._rows;
  }
  /** How many snapshots the scope has (more than `rows` when over MAX_ROWS). */
  get total(): number {
    return this._total;
  }
  get params(): readonly string[] {
    return this._params;
  }
  get metrics(): readonly string[] {
    return this._metrics;
  }
  get series(): readonly string[] {
    return this._series;
  }

  get columns(): IColumn[] {
    return [
      ...FIELD_COLUMNS,
      ...this._params.map(
        p =>
          ({ key: `param:${p}`, label: p, kind: 'param', name: p }) as IColumn
      ),
      ...this._metrics.map(
        m =>
          ({ key: `metric:${m}`, label: m, kind: 'metric', name: m }) as IColumn
      )
    ];
  }

  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    this._filter = value;
    this._view = null;
    this._emit();
  }

  get sortKey(): string {
    return this._sortKey;
  }
  get sortDescending(): boolean {
    return this._descending;
  }
  /** Sort by a column; the same column again flips the direction. */
  sortBy(key: string): void {
    if (key === this._sortKey) {
      this._descending = !this._descending;
    } else {
      this._sortKey = key;
      this._descending = key === 'created' || key.startsWith('metric:');
    }
    this._view = null;
    this._emit();
  }

  /** The rows matching the filter, in the chosen order. */
  get view(): readonly IExperiment[] {
    if (this._view) {
      return this._view;
    }
    const needle = this._filter.trim().toLowerCase();
    const rows = needle
      ? this._rows.filter(r => this._search(r).includes(needle))
      : [...this._rows];
    const column = this.columns.find(c => c.key === this._sortKey);
    if (column) {
      const sign = this._descending ? -1 : 1;
      rows.sort((a, b) => {
        const va = cellValue(a, column);
        const vb = cellValue(b, column);
        // Missing values stay last in both directions.
        if (isMissing(va) || isMissing(vb)) {
          return Number(isMissing(va)) - Number(isMissing(vb));
        }
        return sign * compareValues(va as Scalar, vb as Scalar);
      });
    }
    this._view = rows;
    return rows;
  }

  get picked(): readonly string[] {
    return this._picked;
  }
  togglePicked(id: string): void {
    this._picked = this._picked.includes(id)
      ? this._picked.filter(x => x !== id)
      : [...this._picked, id].slice(-MAX_PICKED);
    this._emit();
  }
  row(id: string): IExperiment | undefined {
    return this._byId.get(id);
  }

  get chart(): ChartKind {
    return this._chart;
  }
  set chart(value: ChartKind) {
    this._chart = value;
    this._emit();
  }
  /** The metric the charts show (the first one when none was chosen). */
  get metric(): string | null {
    const names = this._chart === 'series' ? this._series : this._metrics;
    if (this._metric && names.includes(this._metric)) {
      return this._metric;
    }
    return names[0] ?? null;
  }
  set metric(value: string | null) {
    this._metric = value;
    this._emit();
  }

  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._error = null;
    this._emit();
    try {
      const scope = {
        notebook: this._notebook,
        all: this.showAll
      };
      const first = await listExperiments({ ...scope, limit: PAGE_ROWS });
      let rows = first.experiments;
      const params = new Set(first.params);
      const metrics = new Set(first.metrics);
      const series = new Set(first.series);
      while (rows.length < Math.min(first.total, MAX_ROWS)) {
        const next = await listExperiments({ ...scope, offset: rows.length });
        if (next.experiments.length === 0) {
          break;
        }
        rows = rows.concat(next.experiments);
        next.params.forEach(p => params.add(p));
        next.metrics.forEach(m => metrics.add(m));
        next.series.forEach(s => series.add(s));
      }
      if (generation !== this._generation) {
        return; // a newer refresh started meanwhile
      }
      this._rows = rows;
      this._byId = new Map(rows.map(r => [r.id, r]));
      this._searchText = new Map();
      this._total = first.total;
      this._params = [...params].sort();
      this._metrics = [...metrics].sort();
      this._series = [...series].sort();
      this._picked = this._picked.filter(id => this._byId.has(id));
      this._view = null;
    } catch (error) {
      if (generation === this._generation) {
        this._error = (error as any)?.text ?? String(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._emit();
      }
    }
  }

  private _search(row: IExperiment): string {
    let text = this._searchText.get(row.id);
    if (text === undefined) {
      const values = [
        row.id,
        row.message,
        row.notebook ?? '',
        row.author ?? '',
        ...row.tags,
        ...Object.entries(row.params).map(([k, v]) => `${k}=${v}`)
      ];
      text = values.join('\n').toLowerCase();
      this._searchText.set(row.id, text);
    }
    return text;
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _notebook: string | null;
  private _showAll = true;
  private _loading = false;
  private _error: string | null = null;
  private _rows: IExperiment[] = [];
  private _byId = new Map<string, IExperiment>();
  private _searchText = new Map<string, string>();
  private _total = 0;
  private _params: string[] = [];
  private _metrics: string[] = [];
  private _series: string[] = [];
  private _filter = '';
  private _sortKey = 'created';
  private _descending = true;
  private _view: IExperiment[] | null = null;
  private _picked: string[] = [];
  private _chart: ChartKind = 'metric';
  private _metric: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
