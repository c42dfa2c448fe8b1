import { getGovernance, IGovernance } from '../../api';
import { LoadingModel } from '../loader';

/**
 * The Models tab's state: the governance table (loaded when the tab shows, again when the
 * store changes) and which rows have their reasons unfolded.
 */
export class GovernanceModel extends LoadingModel {
  constructor(options: { notebook?: string | null } = {}) {
    super();
    this.notebook = options.notebook ?? null;
  }

  /** The store is the one of this notebook (or of the server root). */
  notebook: string | null;

  get table(): IGovernance | null {
    return this._table;
  }

  isOpen(name: string): boolean {
    return this._open.has(name);
  }
  toggle(name: string): void {
    if (!this._open.delete(name)) {
      this._open.add(name);
    }
    this._emit();
  }

  refresh(): Promise<void> {
    return this.load(
      () => getGovernance(this.notebook),
      table => (this._table = table)
    );
  }

  private _table: IGovernance | null = null;
  private _open = new Set<string>();
}
