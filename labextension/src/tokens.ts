import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import { ISnapshotSummary } from './api';

/**
 * Ids shared with the Python side, the README and the browser tests.
 */
export const PLUGIN_ID = 'jupyter_mlver:plugin';
export const PANEL_ID = 'jp-mlver-panel';
export const COMM_TARGET = 'jupyter_mlver';

export namespace CommandIDs {
  export const openPanel = 'mlver:open-panel';
  export const snapshot = 'mlver:snapshot';
  export const refresh = 'mlver:refresh';
  export const openDashboard = 'mlver:open-dashboard';
  export const compare = 'mlver:compare';
}

/**
 * What the panel shows: the list, one record, or the comparison of two.
 */
export type View = 'list' | 'record' | 'compare';

/**
 * The panel's two sections: the snapshots (list, record, compare) and the model registry.
 */
export type Section = 'snapshots' | 'models';

/**
 * A one-line status for the panel's status bar.
 */
export interface IStatus {
  kind: 'info' | 'busy' | 'error';
  text: string;
}

/**
 * The state of the ML Versions panel: the filter, a paged list cache, the selection.
 */
export interface IMlverModel extends IDisposable {
  /** The notebook whose snapshots are listed (server-relative path), or null. */
  notebook: string | null;
  /** List every notebook's snapshots, not only the current one's. */
  showAll: boolean;
  /** Free-text filter (message, notebook, tags, param names, id). */
  query: string;
  /** Exact tag filter. */
  tag: string;
  /** How many snapshots match the filter. */
  readonly total: number;
  /** The summary at a list position, fetching its page when missing. */
  rowAt(index: number): ISnapshotSummary | undefined;
  /** The snapshot opened in the record view. */
  selected: string | null;
  /** Up to two snapshots picked for comparison (older first when compared). */
  readonly compare: readonly string[];
  toggleCompare(id: string): void;
  view: View;
  /** The section shown: snapshots or models. */
  section: Section;
  /** The model opened in the models section, or null for the list of models. */
  modelName: string | null;
  /** Changes whenever a record (snapshot, tag, model version, alias move) is indexed. */
  readonly generation: number;
  status: IStatus | null;
  /** Refetch the list now. */
  refresh(): Promise<void>;
  /** Ask the server whether anything changed; refresh if so. */
  check(): Promise<void>;
  /** Emitted whenever anything above changes. */
  readonly changed: ISignal<IMlverModel, void>;
}

export const IMlverModel = new Token<IMlverModel>(
  'jupyter_mlver:IMlverModel',
  'The state of the ML Versions side panel.'
);
