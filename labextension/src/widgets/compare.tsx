import * as React from 'react';

import { getDiff, IDiff, IValueChange } from '../api';
import { DriftBlock } from '../dashboard/drift';
import { isTable } from '../dashboard/tables';
import { MlverRequestError } from '../request';
import {
  formatDelta,
  formatTime,
  formatValue,
  humanBytes,
  shortId,
  warningText
} from './format';
import { BackButton, pendingView } from './nav';

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
  const [diff, setDiff] = React.useState<IDiff | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [showSame, setShowSame] = React.useState(false);

  React.useEffect(() => {
    let live = true;
    setDiff(null);
    setError(null);
    getDiff(a, b)
      .then(d => live && setDiff(d))
      .catch(
        e =>
          live && setError(e instanceof MlverRequestError ? e.text : String(e))
      );
    return () => {
      live = false;
    };
  }, [a, b]);

  const back = actions.back ? <BackButton onClick={actions.back} /> : null;
  if (error || !diff) {
    return pendingView({
      id: 'jp-mlver-compare',
      className: 'jp-mlver-compare',
      back,
      error,
      loading: `Comparing ${shortId(a)} and ${shortId(b)}…`
    });
  }
  const s = diff.summary;
  const nothing =
    s.params + s.metrics + s.data + s.packages + s.cells === 0 &&
    !diff.python &&
    !diff.platform &&
    diff.git.same_commit !== false;
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
        <label className="jp-mlver-checkbox">
          <input
            type="checkbox"
            checked={showSame}
            onChange={e => setShowSame(e.target.checked)}
          />
          unchanged too
        </label>
      </div>
      <table className="jp-mlver-table jp-mlver-compare-sides">
        <thead>
          <tr>
            <th />
            <th>a</th>
            <th>b</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>id</th>
            <td>
              <button
                className="jp-mlver-link"
                onClick={() => actions.open(diff.a.id)}
              >
                <code>{shortId(diff.a.id)}</code>
              </button>
            </td>
            <td>
              <button
                className="jp-mlver-link"
                onClick={() => actions.open(diff.b.id)}
              >
                <code>{shortId(diff.b.id)}</code>
              </button>
            </td>
          </tr>
          <tr>
            <th>message</th>
            <td>{diff.a.message || '—'}</td>
            <td>{diff.b.message || '—'}</td>
          </tr>
          <tr>
            <th>created</th>
            <td>{formatTime(diff.a.created, true)}</td>
            <td>{formatTime(diff.b.created, true)}</td>
          </tr>
        </tbody>
      </table>
      <div className="jp-mlver-compare-summary" id="jp-mlver-compare-summary">
        {nothing
          ? 'No differences.'
          : [
              `${s.params} param(s)`,
              `${s.metrics} metric(s)`,
              `${s.data} data file(s)`,
              `${s.packages} package(s)`,
              `${s.cells} cell(s)`
            ].join(' · ') + ' differ'}
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
      {diff.data.length > 0 && (
        <Block title={`Data (${diff.data.length})`}>
          <table className="jp-mlver-table jp-mlver-compare-data">
            <tbody>
              {diff.data.map(d => (
                <tr key={d.path} className={`jp-mlver-${d.status}`}>
                  <th className="jp-mlver-path">{d.path}</th>
                  <td>{d.status}</td>
                  <td>{d.a ? humanBytes(d.a.size) : '—'}</td>
                  <td>{d.b ? humanBytes(d.b.size) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Block>
      )}
      {diff.data.some(d => d.status === 'changed' && isTable(d.path)) && (
        <DriftBlock a={diff.a.id} b={diff.b.id} />
      )}
      {(diff.packages.length > 0 || diff.python || diff.platform) && (
        <Block title={`Environment (${diff.packages.length} package(s))`}>
          <table className="jp-mlver-table jp-mlver-compare-packages">
            <tbody>
              {diff.python && (
                <tr className="jp-mlver-changed">
                  <th>python</th>
                  <td>{diff.python.a}</td>
                  <td>{diff.python.b}</td>
                </tr>
              )}
              {diff.platform && (
                <tr className="jp-mlver-changed">
                  <th>platform</th>
                  <td>{diff.platform.a}</td>
                  <td>{diff.platform.b}</td>
                </tr>
              )}
              {diff.packages.map(p => (
                <tr key={p.name} className={`jp-mlver-${p.status}`}>
                  <th>{p.name}</th>
                  <td>{p.a ?? '—'}</td>
                  <td>
                    {p.b ?? '—'}{' '}
                    <span className="jp-mlver-muted">{p.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Block>
      )}
      <GitChanges diff={diff} />
      {diff.notebook.cells.length > 0 && (
        <Block title={`Notebook cells (${diff.notebook.cells.length})`}>
          {diff.notebook.cells.map((c, i) => (
            <div key={i} className={`jp-mlver-cell jp-mlver-${c.status}`}>
              <div className="jp-mlver-cell-head">
                {c.status} · cell{' '}
                {c.a_index !== null ? `#${c.a_index + 1}` : '—'} →{' '}
                {c.b_index !== null ? `#${c.b_index + 1}` : '—'}
              </div>
              <div className="jp-mlver-cell-sides">
                <pre className="jp-mlver-cell-a">{c.a_source ?? ''}</pre>
                <pre className="jp-mlver-cell-b">{c.b_source ?? ''}</pre>
              </div>
              {c.outputs && c.outputs.a !== c.outputs.b && (
                <div className="jp-mlver-muted">
                  outputs: {c.outputs.a} → {c.outputs.b}
                </div>
              )}
            </div>
          ))}
        </Block>
      )}
      {(diff.warnings.a.length > 0 || diff.warnings.b.length > 0) && (
        <Block title="Execution warnings">
          <ul className="jp-mlver-warnings">
            {diff.warnings.a.map((w, i) => (
              <li key={`a${i}`}>a: {warningText(w)}</li>
            ))}
            {diff.warnings.b.map((w, i) => (
              <li key={`b${i}`}>b: {warningText(w)}</li>
            ))}
          </ul>
        </Block>
      )}
    </div>
  );
}

function Block(props: {
  title: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-mlver-block">
      <h4>{props.title}</h4>
      {props.children}
    </section>
  );
}

function ValueChanges(props: {
  title: string;
  cls: string;
  rows: IValueChange[];
  showSame: boolean;
}): JSX.Element | null {
  const changed = props.rows.filter(r => r.status !== 'unchanged').length;
  const rows = props.showSame
    ? props.rows
    : props.rows.filter(r => r.status !== 'unchanged');
  if (props.rows.length === 0) {
    return null;
  }
  return (
    <Block title={`${props.title} (${changed} of ${props.rows.length} differ)`}>
      {rows.length === 0 ? (
        <div className="jp-mlver-muted">All the same.</div>
      ) : (
        <table className={`jp-mlver-table ${props.cls}`}>
          <thead>
            <tr>
              <th />
              <th>a</th>
              <th>b</th>
              <th>Δ</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(r => (
              <tr
                key={r.key}
                data-key={r.key}
                data-status={r.status}
                className={`jp-mlver-${r.status}`}
              >
                <th>{r.key}</th>
                <td>{formatValue(r.a)}</td>
                <td>{formatValue(r.b)}</td>
                <td>{formatDelta(r.delta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Block>
  );
}

function GitChanges(props: { diff: IDiff }): JSX.Element | null {
  const git = props.diff.git;
  if (!git.a && !git.b) {
    return null;
  }
  const side = (g: typeof git.a): string =>
    g
      ? `${g.commit?.slice(0, 10) ?? '?'}${g.branch ? ` (${g.branch})` : ''}${g.dirty ? ' +dirty' : ''}`
      : '—';
  return (
    <Block title="Git">
      <table className="jp-mlver-table jp-mlver-compare-git">
        <tbody>
          <tr className={git.same_commit ? '' : 'jp-mlver-changed'}>
            <th>commit</th>
            <td>{side(git.a)}</td>
            <td>{side(git.b)}</td>
          </tr>
        </tbody>
      </table>
      {git.commits.length > 0 && (
        <ul className="jp-mlver-commits">
          {git.commits.map(c => (
            <li key={c.sha}>
              <code>{c.sha.slice(0, 10)}</code> {c.summary}
            </li>
          ))}
          {git.commits_omitted ? (
            <li className="jp-mlver-muted">… and {git.commits_omitted} more</li>
          ) : null}
        </ul>
      )}
    </Block>
  );
}
