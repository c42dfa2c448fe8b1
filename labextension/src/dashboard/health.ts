import { ISignal, Signal } from '@lumino/signaling';

import { errorText } from '../request';
import { getGovernance, IGovernance } from './api';

/**
 * The Models tab's state: the governance table (loaded when the tab shows, again when the
 * store changes) and which rows have their reasons unfolded.
 */
export class GovernanceModel {
  constructor(options: { notebook?: string | null } = {}) {
    this._notebook = options.notebook ?? null;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The store is the one of this notebook (or of the server root). */
  get notebook(): string | null {
    return this._notebook;
  }
  set notebook(value: string | null) {
    this._notebook = value;
  }

  get table(): IGovernance | null {
    return this._table;
  }
  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }

  isOpen(name: string): boolean {
    return this._open.has(name);
  }
  toggle(name: string): void {
    if (!this._open.delete(name)) {
      this._open.add(name);
    }
    this._changed.emit();
  }

  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const table = await getGovernance(this._notebook);
      if (generation === this._generation) {
        this._table = table;
        this._error = null;
      }
    } catch (error) {
      if (generation === this._generation) {
        this._error = errorText(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _notebook: string | null;
  private _table: IGovernance | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _open = new Set<string>();
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
