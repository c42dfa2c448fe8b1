/**
 * Vega-Lite specs of the dashboard's charts, built from loaded rows (pure functions).
 */
import { IExperiment } from '../api';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const BASE = {
  $schema: SCHEMA,
  height: 240,
  autosize: { type: 'fit', contains: 'padding' },
  background: 'transparent'
};

function short(row: IExperiment): string {
  return row.id.slice(0, 12);
}

function label(row: IExperiment): string {
  return `${short(row)} ${row.message}`.trim().slice(0, 60);
}

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/**
 * A time axis whose labels read well for any spread of times: seconds when the runs are
 * minutes apart, dates when they are months apart (Vega's own choice prints milliseconds,
 * ".800", for runs taken seconds apart). Label overlap is resolved by dropping labels.
 */
export function timeAxis(times: readonly string[]): Record<string, any> {
  const ms = times.map(t => Date.parse(t)).filter(t => !isNaN(t));
  const span = ms.length ? Math.max(...ms) - Math.min(...ms) : 0;
  let format = '%Y-%m-%d';
  if (span <= 10 * MINUTE) {
    format = '%H:%M:%S';
  } else if (span <= DAY) {
    format = '%H:%M';
  } else if (span <= 7 * DAY) {
    format = '%b %d %H:%M';
  } else if (span <= 365 * DAY) {
    format = '%b %d';
  }
  return { format, labelOverlap: 'greedy', labelSeparation: 8, tickCount: 6 };
}

/**
 * A metric across snapshots, by run order (oldest first: runs taken seconds apart and
 * days apart are spaced alike) or by time; picked snapshots drawn larger.
 */
export function metricSpec(
  rows: readonly IExperiment[],
  metric: string,
  picked: readonly string[],
  axis: 'order' | 'time' = 'order'
): Record<string, any> {
  const values = rows
    .filter(r => typeof r.metrics[metric] === 'number')
    .sort((a, b) => a.created.localeCompare(b.created))
    .map((r, i) => ({
      id: short(r),
      run: i + 1,
      created: r.created,
      value: r.metrics[metric],
      message: r.message,
      notebook: r.notebook ?? '',
      picked: picked.includes(r.id)
    }));
  const x =
    axis === 'time'
      ? {
          field: 'created',
          type: 'temporal',
          title: 'time',
          axis: timeAxis(values.map(v => v.created))
        }
      : {
          field: 'run',
          type: 'quantitative',
          title: 'run (oldest first)',
          scale: { zero: false, nice: false, padding: 8 },
          axis: { format: 'd', tickMinStep: 1, labelOverlap: 'greedy' }
        };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: metric,
    scale: { zero: false }
  };
  return {
    ...BASE,
    data: { values },
    layer: [
      { mark: { type: 'line', opacity: 0.35 }, encoding: { x, y } },
      {
        mark: { type: 'point', filled: true },
        encoding: {
          x,
          y,
          size: { condition: { test: 'datum.picked', value: 140 }, value: 30 },
          color: {
            field: 'picked',
            type: 'nominal',
            legend: null,
            scale: { domain: [false, true], range: ['#1e88e5', '#f4511e'] }
          },
          tooltip: [
            { field: 'id' },
            { field: 'run' },
            { field: 'message' },
            { field: 'notebook' },
            {
              field: 'created',
              type: 'temporal',
              timeUnit: 'yearmonthdatehoursminutesseconds'
            },
            { field: 'value', title: metric }
          ]
        }
      }
    ]
  };
}

/** Logged series (one line per snapshot) against their step. */
export function seriesSpec(
  series: { row: IExperiment; values: number[] }[],
  metric: string
): Record<string, any> {
  const values = series.flatMap(({ row, values }) =>
    values.map((value, step) => ({ snapshot: label(row), step, value }))
  );
  return {
    ...BASE,
    data: { values },
    mark: { type: 'line', point: values.length <= 400 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: { zero: false }
      },
      color: {
        field: 'snapshot',
        type: 'nominal',
        legend: { orient: 'bottom', columns: 2 }
      },
      tooltip: [
        { field: 'snapshot' },
        { field: 'step' },
        { field: 'value', title: metric }
      ]
    }
  };
}

/** The params that are numbers in at least one row (the axes a parallel plot can draw). */
export function numericParams(
  rows: readonly IExperiment[],
  params: readonly string[]
): string[] {
  return params.filter(p => rows.some(r => typeof r.params[p] === 'number'));
}

/**
 * Parallel coordinates: one line per snapshot through each numeric param and the metric,
 * every axis scaled to its own range (its min and max printed), coloured by the metric.
 * The long format is built here rather than with Vega transforms, so that names with
 * dots or brackets need no escaping.
 */
export function parallelSpec(
  rows: readonly IExperiment[],
  params: readonly string[],
  metric: string
): Record<string, any> {
  const axes = [...params, metric];
  const usable = rows.filter(r => typeof r.metrics[metric] === 'number');
  const get = (r: IExperiment, axis: string, i: number): number | undefined => {
    const v = i < params.length ? r.params[axis] : r.metrics[axis];
    return typeof v === 'number' ? v : undefined;
  };
  const ranges = axes.map((axis, i) => {
    const vs = usable
      .map(r => get(r, axis, i))
      .filter((v): v is number => v !== undefined);
    return vs.reduce(
      ([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)],
      vs.length ? [vs[0], vs[0]] : [0, 0]
    );
  });
  const lines: Record<string, any>[] = [];
  usable.forEach((r, line) => {
    axes.forEach((axis, i) => {
      const v = get(r, axis, i);
      if (v === undefined) {
        return;
      }
      const [lo, hi] = ranges[i];
      lines.push({
        line,
        id: short(r),
        axis,
        value: v,
        norm: hi > lo ? (v - lo) / (hi - lo) : 0.5,
        metric: r.metrics[metric]
      });
    });
  });
  const ticks = axes.flatMap((axis, i) => [
    { axis, norm: 0, text: String(+ranges[i][0].toPrecision(4)) },
    { axis, norm: 1, text: String(+ranges[i][1].toPrecision(4)) }
  ]);
  const x = { field: 'axis', type: 'ordinal', sort: axes, title: null };
  const y = {
    field: 'norm',
    type: 'quantitative',
    axis: null,
    scale: { domain: [0, 1] }
  };
  return {
    ...BASE,
    height: 260,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', opacity: 0.45, strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          detail: { field: 'line', type: 'nominal' },
          color: { field: 'metric', type: 'quantitative', title: metric },
          tooltip: [{ field: 'id' }, { field: 'axis' }, { field: 'value' }]
        }
      },
      {
        data: { values: axes.map(axis => ({ axis })) },
        mark: { type: 'rule', color: '#888' },
        encoding: { x }
      },
      {
        data: { values: ticks },
        mark: { type: 'text', dx: 4, align: 'left', fontSize: 10 },
        encoding: { x, y, text: { field: 'text' } }
      }
    ]
  };
}
