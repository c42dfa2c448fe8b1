import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IExperiment } from '../api';
import { formatTime, formatValue, shortId } from '../widgets/format';
import { CheckBox } from '../widgets/input';
import { runValues } from './runs';

/**
 * Several runs side by side in a main-area tab: a column per run (oldest first), a row
 * per metric and param, the ones that differ highlighted; any two neighbours open as a
 * full comparison.
 */
export class CompareRunsTab extends MainAreaWidget<ReactWidget> {
  constructor(options: {
    runs: IExperiment[];
    open: (id: string) => void;
    compare: (a: string, b: string) => void;
  }) {
    const runs = [...options.runs].sort((a, b) =>
      a.created.localeCompare(b.created)
    );
    const content = ReactWidget.create(
      <RunsTable runs={runs} open={options.open} compare={options.compare} />
    );
    content.addClass('jp-mlver-compare-tab-content');
    super({ content });
    this.id = 'jp-mlver-compare-runs-tab';
    this.addClass('jp-mlver-compare-tab');
    this.title.label = `Compare ${runs.length} runs`;
    this.title.closable = true;
  }
}

function RunsTable(props: {
  runs: IExperiment[];
  open: (id: string) => void;
  compare: (a: string, b: string) => void;
}): JSX.Element {
  const { runs } = props;
  const [showSame, setShowSame] = React.useState(false);
  const rows = runValues(runs).filter(r => showSame || r.differ);
  return (
    <div id="jp-mlver-compare-runs" className="jp-mlver-compare">
      <div className="jp-mlver-record-nav">
        <CheckBox
          checked={showSame}
          onChange={setShowSame}
          label="unchanged too"
        />
      </div>
      <table className="jp-mlver-table jp-mlver-compare-runs">
        <thead>
          <tr>
            <th />
            {runs.map((run, i) => (
              <th key={run.id} data-id={run.id}>
                <button
                  className="jp-mlver-link"
                  title={`${run.id}\n${run.message}`}
                  onClick={() => props.open(run.id)}
                >
                  <code>{shortId(run.id)}</code>
                </button>
                <div
                  className="jp-mlver-muted jp-mlver-ellipsis"
                  title={run.message}
                >
                  {run.message || '—'}
                </div>
                <div className="jp-mlver-muted">
                  {formatTime(run.created, true)}
                </div>
                {i > 0 && (
                  <button
                    className="jp-mlver-link jp-mlver-compare-pair"
                    title="Compare with the run to the left: data, packages, code"
                    onClick={() => props.compare(runs[i - 1].id, run.id)}
                  >
                    ← diff
                  </button>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(r => (
            <tr
              key={`${r.kind}:${r.name}`}
              data-key={`${r.kind}:${r.name}`}
              className={r.differ ? 'jp-mlver-changed' : ''}
            >
              <th title={`${r.kind} ${r.name}`}>{r.name}</th>
              {r.values.map((v, i) => (
                <td key={i}>{formatValue(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <div className="jp-mlver-muted">All the same.</div>}
    </div>
  );
}
