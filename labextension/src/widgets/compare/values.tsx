import * as React from 'react';

import { IValueChange } from '../../api';
import { formatDelta, formatValue } from '../format';
import { Block, Cell } from '../section';

/** Params or metrics of both sides with their change; unchanged ones on request. */
export function ValueChanges(props: {
  title: string;
  cls: string;
  rows: IValueChange[];
  showSame: boolean;
}): JSX.Element | null {
  if (props.rows.length === 0) {
    return null;
  }
  const changed = props.rows.filter(r => r.status !== 'unchanged');
  const rows = props.showSame ? props.rows : changed;
  return (
    <Block
      title={`${props.title} (${changed.length} of ${props.rows.length} differ)`}
    >
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
                <Cell header text={r.key} />
                <Cell text={formatValue(r.a)} />
                <Cell text={formatValue(r.b)} />
                <Cell text={formatDelta(r.delta)} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Block>
  );
}
