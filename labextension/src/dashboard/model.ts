import { IExperiment, listExperiments, PAGE_ROWS } from '../api';
import { IColumn, sortRows, tableColumns } from './columns';
import { LoadingModel } from './loader';

/** The most rows the dashboard loads (the rest are summarised as not shown). */
export const MAX_ROWS = 50000;
/** How many snapshots can be picked for the series chart. */
export const MAX_PICKED = 8;

export type ChartKind = 'metric' | 'series' | 'parallel';

/** The metric chart's x-axis: the runs in the order they were taken, or their times. */
export type XAxis = 'order' | 'time';

/**
 * The Experiments dashboard's state: every snapshot of the scope loaded once (windowed
 * in the view), filtered and sorted here, the rows picked for charts and comparison.
 */
export class ExperimentsModel extends LoadingModel {
  constructor(options: { notebook?: string | null } = {}) {
    super();
    this._notebook = options.notebook ?? null;
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
    return tableColumns(this._params, this._metrics);
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
      sortRows(rows, column, this._descending);
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

  get xAxis(): XAxis {
    return this._xAxis;
  }
  set xAxis(value: XAxis) {
    this._xAxis = value;
    this._emit();
  }

  refresh(): Promise<void> {
    const scope = { notebook: this._notebook, all: this.showAll };
    return this.load(
      () => loadAll(scope),
      page => this._apply(page)
    );
  }

  private _apply(page: IAllRows): void {
    this._rows = page.rows;
    this._byId = new Map(page.rows.map(r => [r.id, r]));
    this._searchText = new Map();
    this._total = page.total;
    this._params = page.params;
    this._metrics = page.metrics;
    this._series = page.series;
    this._picked = this._picked.filter(id => this._byId.has(id));
    this._view = null;
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

  private _notebook: string | null;
  private _showAll = true;
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
  private _xAxis: XAxis = 'order';
}

interface IAllRows {
  rows: IExperiment[];
  total: number;
  params: string[];
  metrics: string[];
  series: string[];
}

/** Every row of the scope (up to MAX_ROWS), a server page at a time. */
async function loadAll(scope: {
  notebook: string | null;
  all: boolean;
}): Promise<IAllRows> {
  const first = await listExperiments({ ...scope, limit: PAGE_ROWS });
  let rows = first.experiments;
  const names = [first.params, first.metrics, first.series].map(
    n => new Set(n)
  );
  while (rows.length < Math.min(first.total, MAX_ROWS)) {
    const next = await listExperiments({ ...scope, offset: rows.length });
    if (next.experiments.length === 0) {
      break;
    }
    rows = rows.concat(next.experiments);
    [next.params, next.metrics, next.series].forEach((more, i) =>
      more.forEach(name => names[i].add(name))
    );
  }
  const [params, metrics, series] = names.map(n => [...n].sort());
  return { rows, total: first.total, params, metrics, series };
}
