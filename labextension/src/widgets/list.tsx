import * as React from 'react';

import { ISnapshotSummary } from '../api';
import { useClientSize } from '../hooks/size';
import { MlverModel } from '../model';
import { assignments, formatTime, shortId } from './format';

/** Every row has the same height, so only the visible ones are rendered. */
export const ROW_HEIGHT = 56;
const OVERSCAN = 6;

/**
 * The snapshots matching the filter, newest first: a windowed list over the model's
 * page cache (pages of 50 are fetched as they scroll into view).
 */
export function SnapshotList(props: { model: MlverModel }): JSX.Element {
  const { model } = props;
  const [scrollerRef, size, scroller] = useClientSize<HTMLDivElement>({
    width: 0,
    height: 400
  });
  const height = size.height;
  const [scrollTop, setScrollTop] = React.useState(0);
  const [active, setActive] = React.useState(0);

  const total = model.total;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(
    total,
    Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN
  );
  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <SnapshotRow
        key={i}
        index={i}
        row={model.rowAt(i)}
        active={i === active}
        picked={model.compare}
        onOpen={id => (model.selected = id)}
        onPick={id => model.toggleCompare(id)}
        onFocusRow={() => setActive(i)}
      />
    );
  }

  const move = (to: number): void => {
    const index = Math.max(0, Math.min(total - 1, to));
    setActive(index);
    const node = scroller;
    if (!node) {
      return;
    }
    const top = index * ROW_HEIGHT;
    if (top < node.scrollTop) {
      node.scrollTop = top;
    } else if (top + ROW_HEIGHT > node.scrollTop + node.clientHeight) {
      node.scrollTop = top + ROW_HEIGHT - node.clientHeight;
    }
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    const pageRows = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const row = model.rowAt(active);
    switch (event.key) {
      case 'ArrowDown':
        move(active + 1);
        break;
      case 'ArrowUp':
        move(active - 1);
        break;
      case 'PageDown':
        move(active + pageRows);
        break;
      case 'PageUp':
        move(active - pageRows);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(total - 1);
        break;
      case 'Enter':
        if (row) {
          model.selected = row.id;
        }
        break;
      case ' ':
        if (row) {
          model.toggleCompare(row.id);
        }
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  if (total === 0) {
    return (
      <div className="jp-mlver-empty" id="jp-mlver-list-empty">
        {model.loading
          ? 'Loading…'
          : model.query || model.tag
            ? 'No snapshot matches the filter.'
            : model.scoped
              ? 'No snapshots of this notebook yet. Take one with the Snapshot button or %mlver snapshot.'
              : 'No snapshots yet. Take one with the Snapshot button or %mlver snapshot.'}
      </div>
    );
  }

  return (
    <div
      id="jp-mlver-list"
      className="jp-mlver-list"
      ref={scrollerRef}
      role="listbox"
      aria-label="Snapshots, newest first"
      aria-activedescendant={`jp-mlver-row-${active}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
      data-total={total}
    >
      <div
        className="jp-mlver-list-spacer"
        style={{ height: total * ROW_HEIGHT }}
      >
        {rows}
      </div>
    </div>
  );
}

function SnapshotRow(props: {
  index: number;
  row: ISnapshotSummary | undefined;
  active: boolean;
  picked: readonly string[];
  onOpen: (id: string) => void;
  onPick: (id: string) => void;
  onFocusRow: () => void;
}): JSX.Element {
  const { index, row, active } = props;
  const style: React.CSSProperties = {
    top: index * ROW_HEIGHT,
    height: ROW_HEIGHT
  };
  if (!row) {
    return (
      <div
        id={`jp-mlver-row-${index}`}
        className="jp-mlver-row jp-mlver-row-loading"
        style={style}
        role="option"
        aria-selected={false}
      >
        Loading…
      </div>
    );
  }
  const picked = props.picked.includes(row.id);
  const params = assignments(row.params);
  const metrics = assignments(row.metrics);
  return (
    <div
      id={`jp-mlver-row-${index}`}
      className={
        'jp-mlver-row' +
        (active ? ' jp-mod-active' : '') +
        (picked ? ' jp-mod-picked' : '')
      }
      style={style}
      role="option"
      aria-selected={picked}
      data-id={row.id}
      title={`${row.id}\n${row.message || '(no message)'}`}
      onClick={() => {
        props.onFocusRow();
        props.onOpen(row.id);
      }}
    >
      <input
        type="checkbox"
        className="jp-mlver-compare-check"
        aria-label={`Pick ${shortId(row.id)} for comparison`}
        checked={picked}
        tabIndex={-1}
        onClick={event => event.stopPropagation()}
        onChange={() => props.onPick(row.id)}
      />
      <div className="jp-mlver-row-body">
        <div className="jp-mlver-row-title">
          <span className="jp-mlver-row-message">
            {row.message || '(no message)'}
          </span>
          {row.tags.map(tag => (
            <span key={tag} className="jp-mlver-tag" title={tag}>
              {tag}
            </span>
          ))}
          {row.pushed.length > 0 && (
            <span
              className="jp-mlver-pushed-badge"
              title={`pushed to ${row.pushed.join(', ')}`}
            >
              ↑ {row.pushed.join(', ')}
            </span>
          )}
          {row.warnings > 0 && (
            <span
              className="jp-mlver-warning-badge"
              title={`${row.warnings} execution warning(s)`}
            >
              ⚠ {row.warnings}
            </span>
          )}
        </div>
        <div className="jp-mlver-row-meta">
          <code className="jp-mlver-id">{shortId(row.id)}</code>
          <span className="jp-mlver-row-time" title={row.created}>
            {formatTime(row.created, true)}
          </span>
          {row.notebook && (
            <span className="jp-mlver-row-notebook" title={row.notebook}>
              {row.notebook}
            </span>
          )}
        </div>
        <div className="jp-mlver-row-values">
          {params && (
            <span className="jp-mlver-row-params" title={params}>
              {params}
            </span>
          )}
          {metrics && (
            <span className="jp-mlver-row-metrics" title={metrics}>
              {metrics}
            </span>
          )}
        </div>
      </div>
    </div>
  );
}
