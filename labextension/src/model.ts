import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ISnapshotSummary, listSnapshots } from './api';
import { MlverRequestError } from './request';
import { IMlverModel, IStatus, Section, View } from './tokens';

export const PAGE_SIZE = 50;

/**
 * The panel's model: a page cache over `GET snapshots`, kept fresh by a cheap poll
 * (`limit=0`: total, newest id and the index generation).
 */
export class MlverModel implements IMlverModel {
  constructor(options: MlverModel.IOptions = {}) {
    const interval = options.pollInterval ?? 3000;
    this._poll = new Poll({
      auto: false,
      factory: () => this.check(),
      frequency: { interval, backoff: true, max: 30 * 1000 },
      name: 'jupyter_mlver:snapshots',
      // Nothing to refresh while nobody sees the panel.
      standby: options.isActive
        ? () => (!options.isActive!() ? true : 'when-hidden')
        : 'when-hidden'
    });
    void this.refresh();
    void this._poll.start();
  }

  get changed(): ISignal<IMlverModel, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  // -- filter -----------------------------------------------------------------

  get notebook(): string | null {
    return this._notebook;
  }
  set notebook(path: string | null) {
    if (path === this._notebook) {
      return;
    }
    this._notebook = path;
    if (!this._showAll && this._view !== 'list') {
      this._view = 'list'; // the record shown belonged to the other notebook's list
    }
    void this.refresh();
  }

  get showAll(): boolean {
    return this._showAll;
  }
  set showAll(value: boolean) {
    if (value === this._showAll) {
      return;
    }
    this._showAll = value;
    void this.refresh();
  }

  get query(): string {
    return this._query;
  }
  set query(value: string) {
    if (value === this._query) {
      return;
    }
    this._query = value;
    this._emit();
    // Typing: wait for a pause before asking the server.
    window.clearTimeout(this._debounce);
    this._debounce = window.setTimeout(() => void this.refresh(), 200);
  }

  get tag(): string {
    return this._tag;
  }
  set tag(value: string) {
    if (value === this._tag) {
      return;
    }
    this._tag = value;
    void this.refresh();
  }

  /** Whether the list is of the current notebook only. */
  get scoped(): boolean {
    return this._notebook !== null && !this._showAll;
  }

  // -- the list -----------------------------------------------------------------

  get total(): number {
    return this._total;
  }

  get loading(): boolean {
    return this._pending.size > 0;
  }

  get storePath(): string {
    return this._store;
  }

  rowAt(index: number): ISnapshotSummary | undefined {
    if (index < 0 || index >= this._total) {
      return undefined;
    }
    const page = Math.floor(index / PAGE_SIZE);
    const rows = this._pages.get(page);
    if (rows === undefined) {
      void this._fetchPage(page);
      return undefined;
    }
    return rows[index - page * PAGE_SIZE];
  }

  /** The summary of a snapshot if it is in a loaded page. */
  summary(id: string): ISnapshotSummary | undefined {
    for (const rows of this._pages.values()) {
      const found = rows.find(r => r.id === id);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  async refresh(): Promise<void> {
    this._epoch += 1;
    this._pages.clear();
    this._pending.clear();
    await this._fetchPage(0);
  }

  async check(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const page = await listSnapshots({ ...this._filter(), limit: 0 });
    if (
      page.total !== this._total ||
      page.latest !== this._latest ||
      page.generation !== this._generation
    ) {
      await this.refresh();
    }
  }

  private _filter() {
    return {
      notebook: this._notebook,
      all: this._showAll,
      q: this._query.trim(),
      tag: this._tag.trim()
    };
  }

  private async _fetchPage(page: number): Promise<void> {
    if (this._pending.has(page)) {
      return;
    }
    const epoch = this._epoch;
    this._pending.add(page);
    this._emit();
    try {
      const result = await listSnapshots({
        ...this._filter(),
        limit: PAGE_SIZE,
        offset: page * PAGE_SIZE
      });
      if (epoch !== this._epoch) {
        return; // the filter changed meanwhile
      }
      this._pages.set(page, result.snapshots);
      this._total = result.total;
      this._latest = result.latest;
      this._generation = result.generation;
      this._store = result.store;
      if (this._status?.kind === 'error' && this._listError) {
        this._status = null;
      }
      this._listError = false;
    } catch (error) {
      if (epoch === this._epoch) {
        this._listError = true;
        this._status = {
          kind: 'error',
          text: error instanceof MlverRequestError ? error.text : String(error)
        };
      }
    } finally {
      if (epoch === this._epoch) {
        this._pending.delete(page);
      }
      this._emit();
    }
  }

  // -- selection and views --------------------------------------------------------

  get selected(): string | null {
    return this._selected;
  }
  set selected(id: string | null) {
    this._selected = id;
    this._view = id ? 'record' : 'list';
    this._emit();
  }

  get compare(): readonly string[] {
    return this._compare;
  }

  toggleCompare(id: string): void {
    const at = this._compare.indexOf(id);
    if (at >= 0) {
      this._compare = this._compare.filter(c => c !== id);
    } else {
      // Keep the last two picked.
      this._compare = [...this._compare, id].slice(-2);
    }
    this._emit();
  }

  /** Compare two snapshots now (from the list's selection or a record's parent). */
  compareWith(a: string, b: string): void {
    this._compare = [a, b];
    this._view = 'compare';
    this._emit();
  }

  get view(): View {
    return this._view;
  }
  set view(value: View) {
    this._view = value;
    this._emit();
  }

  get section(): Section {
    return this._section;
  }
  set section(value: Section) {
    this._section = value;
    this._emit();
  }

  get modelName(): string | null {
    return this._modelName;
  }
  set modelName(name: string | null) {
    this._modelName = name;
    this._section = 'models';
    this._emit();
  }

  get generation(): number {
    return this._generation;
  }

  /** Show a snapshot's record (e.g. the one a model version came from). */
  openSnapshot(id: string): void {
    this._section = 'snapshots';
    this.selected = id;
  }

  get status(): IStatus | null {
    return this._status;
  }
  set status(value: IStatus | null) {
    this._status = value;
    this._listError = false;
    this._emit();
  }

  /** Re-render the views (something outside the model changed, e.g. a kernel started). */
  notify(): void {
    this._emit();
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _changed = new Signal<IMlverModel, void>(this);
  private _isDisposed = false;
  private _poll: Poll;
  private _debounce = 0;
  private _epoch = 0;
  private _notebook: string | null = null;
  private _showAll = false;
  private _query = '';
  private _tag = '';
  private _pages = new Map<number, ISnapshotSummary[]>();
  private _pending = new Set<number>();
  private _total = 0;
  private _latest: string | null = null;
  private _generation = -1;
  private _store = '';
  private _selected: string | null = null;
  private _compare: string[] = [];
  private _view: View = 'list';
  private _section: Section = 'snapshots';
  private _modelName: string | null = null;
  private _status: IStatus | null = null;
  private _listError = false;
}

export namespace MlverModel {
  export interface IOptions {
    /** Milliseconds between polls (default 3000; backs off on errors up to 30 s). */
    pollInterval?: number;
    /** Whether the panel is visible; the poll stands by while it is not. */
    isActive?: () => boolean;
  }
}
