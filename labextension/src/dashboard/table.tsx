import * as React from 'react';

import { IExperiment } from '../api';
import { useClientSize } from '../hooks/size';
import {
  cellText,
  columnWidth,
  IColumn,
  PICK_WIDTH,
  pinnedCount
} from './columns';
import { ExperimentsModel } from './model';

/** Every row has the same height, so only the visible ones are in the DOM. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 10;

/**
 * Where each column sits: its width, and for the pinned ones (sticky at the left while
 * the others scroll under them) their offset.
 */
function layout(columns: IColumn[], pinned: number): React.CSSProperties[] {
  let left = PICK_WIDTH;
  return columns.map((c, i) => {
    const width = columnWidth(c);
    const style: React.CSSProperties = { width };
    if (i < pinned) {
      style.left = left;
      left += width;
    }
    return style;
  });
}

function cellClass(column: IColumn, index: number, pinned: number): string {
  return (
    `jp-mlver-dash-cell jp-mlver-dash-${column.kind}` +
    (index < pinned ? ' jp-mod-pinned' : '') +
    (index === pinned - 1 ? ' jp-mod-pinned-last' : '')
  );
}

/**
 * The snapshots as a table: the id and metric columns pinned at the left, then the other
 * fields and a column per param. Click a header to sort (again to reverse), tick rows to
 * chart or compare them. Windowed: 10,000 rows scroll as smoothly as 10.
 */
export function ExperimentsTable(props: {
  model: ExperimentsModel;
  onOpen: (id: string) => void;
}): JSX.Element {
  const { model } = props;
  const [scrollerRef, size] = useClientSize<HTMLDivElement>({
    width: 800,
    height: 300
  });
  const [scrollTop, setScrollTop] = React.useState(0);

  const rows = model.view;
  const columns = model.columns;
  const pinned = pinnedCount(columns, size.width);
  const styles = layout(columns, pinned);
  const total =
    PICK_WIDTH + columns.reduce((sum, c) => sum + columnWidth(c), 0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(
    rows.length,
    Math.ceil((scrollTop + size.height) / ROW_HEIGHT) + OVERSCAN
  );
  const body: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    body.push(
      <TableRow
        key={rows[i].id}
        row={rows[i]}
        index={i}
        width={total}
        columns={columns}
        styles={styles}
        pinned={pinned}
        model={model}
        onOpen={props.onOpen}
      />
    );
  }
  return (
    <div
      id="jp-mlver-dash-table"
      className="jp-mlver-dash-table"
      role="grid"
      aria-rowcount={rows.length}
      data-pinned={pinned}
      ref={scrollerRef}
      onScroll={e => setScrollTop((e.target as HTMLDivElement).scrollTop)}
    >
      <div className="jp-mlver-dash-head" role="row" style={{ width: total }}>
        <div className="jp-mlver-dash-cell jp-mlver-dash-pick jp-mod-pinned" />
        {columns.map((c, i) => (
          <HeaderCell
            key={c.key}
            column={c}
            className={cellClass(c, i, pinned)}
            style={styles[i]}
            model={model}
          />
        ))}
      </div>
      <div
        className="jp-mlver-dash-rows"
        style={{ height: rows.length * ROW_HEIGHT, width: total }}
      >
        {body}
      </div>
    </div>
  );
}

function HeaderCell(props: {
  column: IColumn;
  className: string;
  style: React.CSSProperties;
  model: ExperimentsModel;
}): JSX.Element {
  const { column: c, model } = props;
  const sorted = model.sortKey === c.key;
  const direction = model.sortDescending ? 'descending' : 'ascending';
  return (
    <div
      role="columnheader"
      className={props.className}
      style={props.style}
      data-column={c.key}
      aria-sort={sorted ? direction : 'none'}
      title={`${c.kind === 'field' ? '' : c.kind + ' '}${c.label}: click to sort`}
      onClick={() => model.sortBy(c.key)}
    >
      <span className="jp-mlver-dash-label">{c.label}</span>
      {sorted && <span>{model.sortDescending ? ' ▼' : ' ▲'}</span>}
    </div>
  );
}

function TableRow(props: {
  row: IExperiment;
  index: number;
  width: number;
  columns: IColumn[];
  styles: React.CSSProperties[];
  pinned: number;
  model: ExperimentsModel;
  onOpen: (id: string) => void;
}): JSX.Element {
  const { row, index, model } = props;
  const picked = model.picked.includes(row.id);
  return (
    <div
      role="row"
      className={`jp-mlver-dash-row${picked ? ' jp-mod-selected' : ''}`}
      data-id={row.id}
      data-index={index}
      style={{
        top: index * ROW_HEIGHT,
        width: props.width,
        height: ROW_HEIGHT
      }}
      onDoubleClick={() => props.onOpen(row.id)}
    >
      <div className="jp-mlver-dash-cell jp-mlver-dash-pick jp-mod-pinned">
        <input
          type="checkbox"
          aria-label={`pick ${row.id.slice(0, 12)}`}
          checked={picked}
          onChange={() => model.togglePicked(row.id)}
        />
      </div>
      {props.columns.map((c, i) => {
        const text = cellText(row, c);
        return (
          <div
            key={c.key}
            role="gridcell"
            className={cellClass(c, i, props.pinned)}
            style={props.styles[i]}
            title={text}
          >
            {c.key === 'id' ? <code>{text}</code> : text}
          </div>
        );
      })}
    </div>
  );
}
