import * as React from 'react';

import { ICellChange, IDiff } from '../../api';
import { warningText } from '../format';
import { Block } from '../section';

const cellNumber = (index: number | null): string =>
  index !== null ? `#${index + 1}` : '—';

/** The notebook cells added, removed or changed, both sources side by side. */
export function CellChanges(props: {
  cells: ICellChange[];
}): JSX.Element | null {
  if (props.cells.length === 0) {
    return null;
  }
  return (
    <Block title={`Notebook cells (${props.cells.length})`}>
      {props.cells.map((c, i) => (
        <div key={i} className={`jp-mlver-cell jp-mlver-${c.status}`}>
          <div className="jp-mlver-cell-head">
            {c.status} · cell {cellNumber(c.a_index)} → {cellNumber(c.b_index)}
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
  );
}

/** The execution warnings of either side. */
export function WarningChanges(props: {
  warnings: IDiff['warnings'];
}): JSX.Element | null {
  const { a, b } = props.warnings;
  if (a.length === 0 && b.length === 0) {
    return null;
  }
  const lines = [
    ...a.map(w => `a: ${warningText(w)}`),
    ...b.map(w => `b: ${warningText(w)}`)
  ];
  return (
    <Block title="Execution warnings">
      <ul className="jp-mlver-warnings">
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </Block>
  );
}
