import { IExperiment } from '../api';
import {
  metricSpec,
  numericParams,
  parallelSpec,
  timeAxis
} from '../dashboard/specs';
import { isTable } from '../dashboard/tables';

function row(
  i: number,
  acc: number | string,
  lr: number | string = i
): IExperiment {
  return {
    id: `${i}`.padStart(64, '0'),
    created: `2026-01-0${i}T00:00:00Z`,
    notebook: null,
    parent: null,
    message: `m${i}`,
    author: null,
    tags: [],
    params: { lr, opt: 'adam' },
    metrics: { acc },
    series: {},
    data_files: 0
  };
}

describe('metricSpec', () => {
  it('plots the rows with a number for the metric, picked ones marked', () => {
    const rows = [row(1, 0.5), row(2, 'n/a'), row(3, 0.7)];
    const spec = metricSpec(rows, 'acc', [rows[2].id]);
    expect(spec.data.values.map((v: any) => [v.value, v.picked])).toEqual([
      [0.5, false],
      [0.7, true]
    ]);
  });
});

describe('parallelSpec', () => {
  it('scales each axis to its own range', () => {
    const rows = [row(1, 0.5, 0.1), row(2, 0.9, 0.3)];
    const spec = parallelSpec(rows, ['lr'], 'acc');
    const lines = spec.layer[0].data.values;
    expect(lines.map((l: any) => [l.axis, l.norm])).toEqual([
      ['lr', 0],
      ['acc', 0],
      ['lr', 1],
      ['acc', 1]
    ]);
    const ticks = spec.layer[2].data.values.map((t: any) => t.text);
    expect(ticks).toEqual(['0.1', '0.3', '0.5', '0.9']);
  });

  it('draws only the params that are numbers somewhere', () => {
    expect(numericParams([row(1, 0.5)], ['lr', 'opt'])).toEqual(['lr']);
  });
});

describe('isTable', () => {
  it('knows the tabular files drift compares', () => {
    expect(isTable('data/train.csv')).toBe(true);
    expect(isTable('data/train.parquet')).toBe(true);
    expect(isTable('x.jsonl.gz')).toBe(true);
    expect(isTable('model.pkl')).toBe(false);
  });
});

describe('timeAxis', () => {
  const at = (...times: string[]) => timeAxis(times).format;

  it('shows seconds for runs taken minutes apart', () => {
    expect(at('2026-01-01T10:00:01Z', '2026-01-01T10:00:03Z')).toBe('%H:%M:%S');
    expect(at('2026-01-01T10:00:00Z')).toBe('%H:%M:%S');
  });

  it('shows hours and minutes within a day, dates beyond', () => {
    expect(at('2026-01-01T08:00:00Z', '2026-01-01T20:00:00Z')).toBe('%H:%M');
    expect(at('2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z')).toBe(
      '%b %d %H:%M'
    );
    expect(at('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toBe('%b %d');
    expect(at('2024-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toBe('%Y-%m-%d');
  });

  it('drops labels that would overlap', () => {
    expect(timeAxis([]).labelOverlap).toBe('greedy');
  });
});

describe('metricSpec x-axis', () => {
  const rows = [row(3, 0.7), row(1, 0.5), row(2, 0.6)];

  it('numbers the runs oldest first by default', () => {
    const spec = metricSpec(rows, 'acc', []);
    expect(spec.layer[0].encoding.x.field).toBe('run');
    expect(spec.data.values.map((v: any) => [v.run, v.value])).toEqual([
      [1, 0.5],
      [2, 0.6],
      [3, 0.7]
    ]);
  });

  it('puts the runs at their times when asked', () => {
    const spec = metricSpec(rows, 'acc', [], 'time');
    expect(spec.layer[0].encoding.x).toMatchObject({
      field: 'created',
      type: 'temporal',
      axis: { format: '%b %d %H:%M' }
    });
  });
});
