/**
 * The Experiments table's columns: which there are, in what order, how wide, which stay
 * pinned at the left while the rest scroll, and how their values sort.
 */
import { IExperiment, Scalar } from '../api';
import { formatTime, formatValue } from '../widgets/format';

/** A table column: a fixed field, or a param or metric by name. */
export interface IColumn {
  key: string;
  label: string;
  kind: 'field' | 'param' | 'metric';
  name: string;
}

const field = (name: string): IColumn => ({
  key: name,
  label: name,
  kind: 'field',
  name
});

/** The id first (pinned), the metrics next to it, then the other fields and the params. */
export function tableColumns(
  params: readonly string[],
  metrics: readonly string[]
): IColumn[] {
  const named = (kind: 'param' | 'metric', name: string): IColumn => ({
    key: `${kind}:${name}`,
    label: name,
    kind,
    name
  });
  return [
    field('id'),
    ...metrics.map(m => named('metric', m)),
    ...['created', 'message', 'notebook', 'tags'].map(field),
    ...params.map(p => named('param', p))
  ];
}

/** The width of the pick (checkbox) column, pinned first. */
export const PICK_WIDTH = 30;

const FIELD_WIDTHS: Record<string, number> = {
  id: 110,
  created: 150,
  notebook: 160,
  message: 240,
  tags: 110
};

/** A column's width in pixels: a param or metric's fits its name (within 80–180). */
export function columnWidth(column: IColumn): number {
  return (
    FIELD_WIDTHS[column.key] ??
    Math.min(180, Math.max(80, column.label.length * 8 + 28))
  );
}

/**
 * How many columns stay pinned at the left (after the pick column): the id always, then
 * the metrics while the pinned part takes at most `share` of the visible width, so the
 * metrics stay in view however far the table scrolls and however narrow it is.
 */
export function pinnedCount(
  columns: readonly IColumn[],
  visibleWidth: number,
  share = 0.6
): number {
  let used = PICK_WIDTH;
  let count = 0;
  for (const column of columns) {
    const pinnable =
      count === 0 ? column.key === 'id' : column.kind === 'metric';
    used += columnWidth(column);
    if (!pinnable || (count > 0 && used > visibleWidth * share)) {
      break;
    }
    count += 1;
  }
  return count;
}

export function cellValue(
  row: IExperiment,
  column: IColumn
): Scalar | null | undefined {
  switch (column.kind) {
    case 'param':
      return row.params[column.name];
    case 'metric':
      return row.metrics[column.name];
    default:
      if (column.name === 'tags') {
        return row.tags.join(' ');
      }
      return row[column.name as 'id' | 'created' | 'message' | 'notebook'];
  }
}

/** A cell as shown: the id shortened, the time compact, a dash for a missing value. */
export function cellText(row: IExperiment, column: IColumn): string {
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

export function isMissing(value: Scalar | null | undefined): boolean {
  return value === null || value === undefined || value === '';
}

/** Numbers (and booleans) before strings. */
export function compareValues(a: Scalar, b: Scalar): number {
  const na = typeof a === 'string' ? null : Number(a);
  const nb = typeof b === 'string' ? null : Number(b);
  if (na !== null && nb !== null) {
    return na - nb;
  }
  if (na !== null || nb !== null) {
    return na !== null ? -1 : 1;
  }
  return String(a).localeCompare(String(b));
}

/** Rows in a column's order, missing values last in both directions. */
export function sortRows(
  rows: IExperiment[],
  column: IColumn,
  descending: boolean
): IExperiment[] {
  const sign = descending ? -1 : 1;
  return rows.sort((a, b) => {
    const va = cellValue(a, column);
    const vb = cellValue(b, column);
    if (isMissing(va) || isMissing(vb)) {
      return Number(isMissing(va)) - Number(isMissing(vb));
    }
    return sign * compareValues(va as Scalar, vb as Scalar);
  });
}
