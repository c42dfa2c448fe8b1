import * as React from 'react';

import { formatTime, formatValue } from '../widgets/format';
import { IExperiment } from './api';
import { cellValue, ExperimentsModel, IColumn } from './model';

/** Every row has the same height, so only the visible ones are in the DOM. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 10;
const PICK_WIDTH = 30;

function width(column: IColumn): number {
  switch (column.key) {
    case 'id':
      return 110;
    case 'created':
      return 150;
    case 'notebook':
      return 160;
    case 'message':
      return 240;
    case 'tags':
      return 110;
    default:
      return Math.min(180, Math.max(80, column.label.length * 8 + 28));
  }
}

function display(row: IExperiment, column: IColumn): string {
  if (column.key === 'id') {
    return row.id.slice(0, 12);
  }
  if (column.key === 'created') {
    return formatTime(row.created, true);
  }
  const value = cellValue(row, column);
  if (value === undefined || value === null || value === '') {
    return column.kind === 'field' ? '' : '—';
  }
  return formatValue(value);
}

/**
 * The snapshots as a table with a column per param and metric: click a header to sort
 * (again to reverse), tick rows to chart or compare them. Windowed: 10,000 rows scroll
 * as smoothly as 10.
 */
export function ExperimentsTable(props: {
  model: ExperimentsModel;
  onOpen: (id: string) => void;
}): JSX.Element {
  const { model, onOpen } = props;
  const scroller = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(300);

  React.useEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(node.clientHeight));
    observer.observe(node);
    setHeight(node.clientHeight);
    return () => observer.disconnect();
  }, []);

  const rows = model.view;
  const columns = model.columns;
  const total = PICK_WIDTH + columns.reduce((sum, c) => sum + width(c), 0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(
    rows.length,
    Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN
  );
  const picked = model.picked;

  const header = (
    <div className="jp-mlver-dash-head" role="row" style={{ width: total }}>
      <div
        className="jp-mlver-dash-cell jp-mlver-dash-pick"
        style={{ width: PICK_WIDTH }}
      />
      {columns.map(c => {
        const sorted = model.sortKey === c.key;
        return (
          <div
            key={c.key}
            role="columnheader"
            className={`jp-mlver-dash-cell jp-mlver-dash-${c.kind}`}
            style={{ width: width(c) }}
            data-column={c.key}
            aria-sort={
              sorted
                ? model.sortDescending
                  ? 'descending'
                  : 'ascending'
                : 'none'
            }
            title={`${c.kind === 'field' ? '' : c.kind + ' '}${c.label}: click to sort`}
            onClick={() => model.sortBy(c.key)}
          >
            <span className="jp-mlver-dash-label">{c.label}</span>
            {sorted && <span>{model.sortDescending ? ' ▼' : ' ▲'}</span>}
          </div>
        );
      })}
    </div>
  );

  const body: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const row = rows[i];
    const isPicked = picked.includes(row.id);
    body.push(
      <div
        key={row.id}
        role="row"
        className={`jp-mlver-dash-row${isPicked ? ' jp-mod-selected' : ''}`}
        data-id={row.id}
        data-index={i}
        style={{ top: i * ROW_HEIGHT, width: total, height: ROW_HEIGHT }}
        onDoubleClick={() => onOpen(row.id)}
      >
        <div
          className="jp-mlver-dash-cell jp-mlver-dash-pick"
          style={{ width: PICK_WIDTH }}
        >
          <input
            type="checkbox"
            aria-label={`pick ${row.id.slice(0, 12)}`}
            checked={isPicked}
            onChange={() => model.togglePicked(row.id)}
          />
        </div>
        {columns.map(c => {
          const text = display(row, c);
          return (
            <div
              key={c.key}
              role="gridcell"
              className={`jp-mlver-dash-cell jp-mlver-dash-${c.kind}`}
              style={{ width: width(c) }}
              title={text}
            >
              {c.key === 'id' ? <code>{text}</code> : text}
            </div>
          );
        })}
      </div>
    );
  }

  return (
    <div
      id="jp-mlver-dash-table"
      className="jp-mlver-dash-table"
      role="grid"
      aria-rowcount={rows.length}
      ref={scroller}
      onScroll={e => setScrollTop((e.target as HTMLDivElement).scrollTop)}
    >
      {header}
      <div
        className="jp-mlver-dash-rows"
        style={{ height: rows.length * ROW_HEIGHT, width: total }}
      >
        {body}
      </div>
    </div>
  );
}
