/**
 * Small formatting helpers shared by the views.
 */
import { Value } from '../api';

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 12) : '-';
}

export function formatValue(value: Value | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (Array.isArray(value)) {
    if (value.length <= 4) {
      return '[' + value.map(v => formatValue(v)).join(', ') + ']';
    }
    return `[${formatValue(value[0])} … ${formatValue(value[value.length - 1])}] (${value.length})`;
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? String(value)
      : String(+value.toPrecision(6));
  }
  return String(value);
}

export function formatDelta(delta: number | null | undefined): string {
  if (delta === null || delta === undefined) {
    return '';
  }
  const text = Number.isInteger(delta)
    ? String(delta)
    : String(+delta.toPrecision(4));
  return delta > 0 ? `+${text}` : text;
}

export function humanBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) {
    return '?';
  }
  let size = n;
  for (const unit of ['B', 'KiB', 'MiB', 'GiB']) {
    if (size < 1024) {
      return unit === 'B' ? `${size} B` : `${size.toFixed(1)} ${unit}`;
    }
    size /= 1024;
  }
  return `${size.toFixed(1)} TiB`;
}

/**
 * `2026-11-25T13:02:09.123Z` -> the local date and time, to the second.
 */
export function formatTime(created: string, compact = false): string {
  const date = new Date(created);
  if (isNaN(date.getTime())) {
    return created;
  }
  if (compact) {
    return date.toLocaleString(undefined, {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit'
    });
  }
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  });
}

export function assignments(values: Record<string, Value>): string {
  return Object.keys(values)
    .sort()
    .map(k => `${k}=${formatValue(values[k])}`)
    .join('  ');
}

export function warningText(warning: any): string {
  if (typeof warning === 'string') {
    return warning;
  }
  return warning?.message ?? warning?.kind ?? JSON.stringify(warning);
}
