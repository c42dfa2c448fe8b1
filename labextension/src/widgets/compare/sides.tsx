import * as React from 'react';

import { IDiff } from '../../api';
import { formatTime, shortId } from '../format';
import { Cell } from '../section';

/** "No differences." or what differs, counted by kind. */
export function summaryText(diff: IDiff): string {
  const s = diff.summary;
  const nothing =
    s.params + s.metrics + s.data + s.packages + s.cells === 0 &&
    !diff.python &&
    !diff.platform &&
    diff.git.same_commit !== false;
  if (nothing) {
    return 'No differences.';
  }
  return (
    [
      `${s.params} param(s)`,
      `${s.metrics} metric(s)`,
      `${s.data} data file(s)`,
      `${s.packages} package(s)`,
      `${s.cells} cell(s)`
    ].join(' · ') + ' differ'
  );
}

/** The two snapshots compared: their ids (links to each), messages and times. */
export function CompareSides(props: {
  diff: IDiff;
  open: (id: string) => void;
}): JSX.Element {
  const { diff, open } = props;
  const sides = [diff.a, diff.b];
  return (
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
          {sides.map((side, i) => (
            <td key={i} title={side.id}>
              <button
                className="jp-mlver-link jp-mlver-id jp-mlver-cut"
                onClick={() => open(side.id)}
              >
                {shortId(side.id)}
              </button>
            </td>
          ))}
        </tr>
        <tr>
          <th>message</th>
          {sides.map((side, i) => (
            <Cell key={i} text={side.message || '—'} />
          ))}
        </tr>
        <tr>
          <th>created</th>
          {sides.map((side, i) => (
            <Cell
              key={i}
              text={side.created ? formatTime(side.created, true) : '—'}
              title={side.created ?? undefined}
            />
          ))}
        </tr>
      </tbody>
    </table>
  );
}
