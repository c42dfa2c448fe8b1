import * as React from 'react';

import { IRunResult } from '../../api';
import { formatValue, shortId } from '../format';

/** Metric columns shown at most (the rest are in each run's snapshot). */
const METRIC_COLUMNS = 4;

/** The runs of a sweep, best first: status, params, metrics, a link to each snapshot. */
export function RunResults(props: {
  runs: IRunResult[];
  onOpen: (snapshot: string) => void;
}): JSX.Element | null {
  const { runs } = props;
  if (runs.length === 0) {
    return null;
  }
  const names = (pick: (r: IRunResult) => object): string[] =>
    Array.from(new Set(runs.flatMap(r => Object.keys(pick(r)))));
  const paramNames = names(r => r.params);
  const metricNames = names(r => r.metrics).slice(0, METRIC_COLUMNS);
  return (
    <div className="jp-mlver-scroll-x">
      <table id="jp-mlver-run-results" className="jp-mlver-table">
        <thead>
          <tr>
            <th>#</th>
            <th>status</th>
            {paramNames.map(n => (
              <th key={`p-${n}`}>{n}</th>
            ))}
            {metricNames.map(n => (
              <th key={`m-${n}`}>{n}</th>
            ))}
            <th>snapshot</th>
          </tr>
        </thead>
        <tbody>
          {runs.map(run => (
            <tr
              key={run.index}
              className={`jp-mlver-run-row jp-mod-${run.status}`}
              title={run.error?.error ?? run.output}
            >
              <td>{run.index}</td>
              <td>{run.status}</td>
              {paramNames.map(n => (
                <td key={`p-${n}`}>{formatValue(run.params[n])}</td>
              ))}
              {metricNames.map(n => (
                <td key={`m-${n}`}>{formatValue(run.metrics[n])}</td>
              ))}
              <td>
                {run.snapshot ? (
                  <button
                    className="jp-mlver-link"
                    onClick={() => props.onOpen(run.snapshot!)}
                  >
                    {shortId(run.snapshot)}
                  </button>
                ) : (
                  '-'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
