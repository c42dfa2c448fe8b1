import * as React from 'react';

import { getDiff, IDiff } from '../../api';
import { DriftBlock } from '../../dashboard/drift';
import { isTable } from '../../dashboard/tables';
import { useRequest } from '../../hooks/request';
import { humanBytes, shortId } from '../format';
import { CheckBox } from '../input';
import { BackButton, pendingView } from '../nav';
import { Block, Cell } from '../section';
import { CellChanges, WarningChanges } from './cells';
import { EnvironmentChanges } from './environment';
import { GitChanges } from './git';
import { CompareSides, summaryText } from './sides';
import { ValueChanges } from './values';

/**
 * What the compare view can do besides showing: go back (in the side panel), swap the
 * sides, open one snapshot.
 */
export interface ICompareActions {
  back?: () => void;
  swap: (a: string, b: string) => void;
  open: (id: string) => void;
}

/**
 * Two snapshots side by side (a = older, b = newer) with what differs highlighted:
 * params and metrics, data files (and drift of the changed tables), packages,
 * python/platform, git commits, notebook cells.
 */
export function CompareView(props: {
  a: string;
  b: string;
  actions: ICompareActions;
}): JSX.Element {
  const { a, b, actions } = props;
  const request = useRequest(() => getDiff(a, b), [a, b], { keep: false });
  const [showSame, setShowSame] = React.useState(false);
  const diff = request.value;

  const back = actions.back ? <BackButton onClick={actions.back} /> : null;
  if (request.error || !diff) {
    return pendingView({
      id: 'jp-mlver-compare',
      className: 'jp-mlver-compare',
      back,
      error: request.error,
      loading: `Comparing ${shortId(a)} and ${shortId(b)}…`
    });
  }
  return (
    <div
      id="jp-mlver-compare"
      className="jp-mlver-compare"
      data-a={diff.a.id}
      data-b={diff.b.id}
    >
      <div className="jp-mlver-record-nav">
        {back}
        <button
          className="jp-mlver-button"
          id="jp-mlver-compare-swap"
          title="Swap the two sides"
          onClick={() => actions.swap(diff.b.id, diff.a.id)}
        >
          Swap
        </button>
        <CheckBox
          checked={showSame}
          onChange={setShowSame}
          label="unchanged too"
        />
      </div>
      <CompareSides diff={diff} open={actions.open} />
      <div className="jp-mlver-compare-summary" id="jp-mlver-compare-summary">
        {summaryText(diff)}
      </div>
      <ValueChanges
        title="Parameters"
        cls="jp-mlver-compare-params"
        rows={diff.params}
        showSame={showSame}
      />
      <ValueChanges
        title="Metrics"
        cls="jp-mlver-compare-metrics"
        rows={diff.metrics}
        showSame={showSame}
      />
      <DataChanges diff={diff} />
      <EnvironmentChanges diff={diff} />
      <GitChanges git={diff.git} />
      <CellChanges cells={diff.notebook.cells} />
      <WarningChanges warnings={diff.warnings} />
    </div>
  );
}

/** The data files that differ, and the drift of the changed tables. */
function DataChanges(props: { diff: IDiff }): JSX.Element | null {
  const { diff } = props;
  if (diff.data.length === 0) {
    return null;
  }
  return (
    <>
      <Block title={`Data (${diff.data.length})`}>
        <table className="jp-mlver-table jp-mlver-compare-data">
          <tbody>
            {diff.data.map(d => (
              <tr key={d.path} className={`jp-mlver-${d.status}`}>
                <Cell header className="jp-mlver-path" text={d.path} />
                <Cell text={d.status} />
                <Cell text={d.a ? humanBytes(d.a.size) : '—'} />
                <Cell text={d.b ? humanBytes(d.b.size) : '—'} />
              </tr>
            ))}
          </tbody>
        </table>
      </Block>
      {diff.data.some(d => d.status === 'changed' && isTable(d.path)) && (
        <DriftBlock a={diff.a.id} b={diff.b.id} />
      )}
    </>
  );
}
