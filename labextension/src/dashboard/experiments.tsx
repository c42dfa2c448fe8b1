import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { CheckBox, TextInput } from '../widgets/input';
import { ChartsPane } from './charts';
import { ExperimentsModel } from './model';
import { ExperimentsTable } from './table';
import { LoadError, ReloadAndCount } from './toolbar';
import { IDashboardActions } from './widget';

/** "1250 of 10004 snapshot(s)", and how many were loaded when not all were. */
function countText(model: ExperimentsModel): string {
  if (model.loading) {
    return 'Loading…';
  }
  const loaded = model.rows.length;
  return (
    `${model.view.length} of ${model.total} snapshot(s)` +
    (loaded < model.total ? ` (the newest ${loaded} loaded)` : '')
  );
}

/**
 * The Experiments tab: its toolbar (filter, scope, compare the picked rows), the table
 * and the charts of the rows shown.
 */
export function ExperimentsView(props: {
  model: ExperimentsModel;
  rendermime: IRenderMimeRegistry | null;
  actions: IDashboardActions;
}): JSX.Element {
  const { model, rendermime, actions } = props;
  const picked = model.picked;
  const compare = (): void => {
    const runs = picked
      .map(id => model.row(id)!)
      .sort((x, y) => x.created.localeCompare(y.created));
    if (runs.length === 2) {
      actions.compare(runs[0].id, runs[1].id);
    } else {
      actions.compareRuns(runs);
    }
  };
  return (
    <>
      <div className="jp-mlver-dash-toolbar">
        <TextInput
          id="jp-mlver-dash-filter"
          type="search"
          placeholder="Filter: message, tag, notebook, param=value, id"
          label="Filter experiments"
          value={model.filter}
          onChange={value => (model.filter = value)}
        />
        <CheckBox
          id="jp-mlver-dash-all"
          checked={model.showAll}
          disabled={!model.notebook}
          onChange={checked => (model.showAll = checked)}
          label="all notebooks"
        />
        <button
          id="jp-mlver-dash-compare"
          className="jp-mlver-button jp-mod-accept"
          disabled={picked.length < 2}
          title="Tick two rows to compare them in full, or more to see their params and metrics side by side"
          onClick={compare}
        >
          Compare ({picked.length})
        </button>
        <button
          className="jp-mlver-button"
          disabled={picked.length === 0}
          onClick={() => picked.forEach(id => model.togglePicked(id))}
        >
          Clear picks
        </button>
        <ReloadAndCount
          id="jp-mlver-dash-refresh"
          title="Reload the snapshots"
          onReload={() => void model.refresh()}
          countId="jp-mlver-dash-count"
          count={countText(model)}
        />
      </div>
      <LoadError error={model.error} />
      <ExperimentsTable model={model} onOpen={actions.open} />
      <ChartsPane model={model} rendermime={rendermime} />
    </>
  );
}
