import { ISignal, Signal } from '@lumino/signaling';

import { errorText } from '../request';

/**
 * A dashboard part's state that loads from the server: `loading`, the last `error`, and
 * `changed` emitted whenever either (or anything a subclass keeps) changes. Only the
 * newest load applies its answer: an older one finishing late is dropped.
 */
export class LoadingModel {
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }

  /** Fetch, then apply the answer unless a newer load started meanwhile. */
  protected async load<T>(
    fetch: () => Promise<T>,
    apply: (value: T) => void
  ): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._error = null;
    this._emit();
    try {
      const value = await fetch();
      if (generation === this._generation) {
        apply(value);
      }
    } catch (error) {
      if (generation === this._generation) {
        this._error = errorText(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._emit();
      }
    }
  }

  protected _emit(): void {
    this._changed.emit();
  }

  private _loading = false;
  private _error: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
