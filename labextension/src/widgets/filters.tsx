import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MlverModel } from '../model';
import { CheckBox, TextInput } from './input';

/** The list's filters (text, tag, all notebooks) and the Compare button. */
export function ListFilters(props: {
  model: MlverModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const compare = (): void => {
    const [x, y] = model.compare;
    const sx = model.summary(x);
    const sy = model.summary(y);
    // older on the left
    if (sx && sy && sx.created > sy.created) {
      model.compareWith(y, x);
    } else {
      model.compareWith(x, y);
    }
  };
  return (
    <div className="jp-mlver-filters">
      <TextInput
        id="jp-mlver-filter"
        type="search"
        placeholder={trans.__('Filter: message, tag, param, id')}
        label={trans.__('Filter snapshots')}
        value={model.query}
        onChange={value => (model.query = value)}
      />
      <TextInput
        id="jp-mlver-tag-filter"
        className="jp-mlver-tag-filter"
        placeholder={trans.__('tag')}
        label={trans.__('Only the snapshot with this tag')}
        value={model.tag}
        onChange={value => (model.tag = value)}
      />
      <div className="jp-mlver-filters-row">
        <CheckBox
          id="jp-mlver-all"
          checked={model.showAll || !model.notebook}
          disabled={!model.notebook}
          onChange={checked => (model.showAll = checked)}
          label={trans.__('all notebooks')}
        />
        <button
          id="jp-mlver-compare-button"
          className="jp-mlver-button"
          type="button"
          disabled={model.compare.length !== 2}
          title={trans.__('Tick two snapshots to compare them')}
          onClick={compare}
        >
          {trans.__('Compare')} ({model.compare.length}/2)
        </button>
      </div>
    </div>
  );
}

/** How many snapshots the list holds, and of what. */
export function ScopeLine(props: {
  model: MlverModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const notebookName = model.notebook?.split('/').pop() ?? '';
  return (
    <div
      id="jp-mlver-scope"
      className="jp-mlver-scope jp-mlver-ellipsis"
      title={model.notebook ?? undefined}
    >
      {model.scoped
        ? trans.__('%1 snapshot(s) of %2', model.total, notebookName)
        : trans.__('%1 snapshot(s) in the store', model.total)}
    </div>
  );
}

/** The last status (a snapshot taken, an error), until dismissed. */
export function StatusLine(props: {
  model: MlverModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const status = model.status;
  if (!status) {
    return null;
  }
  return (
    <div
      id="jp-mlver-status"
      className={`jp-mlver-status jp-mod-${status.kind}`}
      role={status.kind === 'error' ? 'alert' : 'status'}
    >
      <span title={status.text}>{status.text}</span>
      <button
        className="jp-mlver-link"
        aria-label={trans.__('Dismiss')}
        onClick={() => (model.status = null)}
      >
        ✕
      </button>
    </div>
  );
}
