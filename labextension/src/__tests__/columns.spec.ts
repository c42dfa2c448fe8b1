import { IExperiment } from '../api';
import {
  columnWidth,
  PICK_WIDTH,
  pinnedCount,
  tableColumns
} from '../dashboard/columns';
import { runValues } from '../dashboard/runs';

describe('tableColumns', () => {
  it('puts the id first, the metrics next to it, the params last', () => {
    const keys = tableColumns(['lr'], ['acc', 'f1']).map(c => c.key);
    expect(keys).toEqual([
      'id',
      'metric:acc',
      'metric:f1',
      'created',
      'message',
      'notebook',
      'tags',
      'param:lr'
    ]);
  });
});

describe('pinnedCount', () => {
  const columns = tableColumns(['lr'], ['acc', 'f1', 'loss']);
  const width = (n: number) =>
    PICK_WIDTH + columns.slice(0, n).reduce((w, c) => w + columnWidth(c), 0);

  it('pins the id and every metric when they take at most 60% of the width', () => {
    expect(pinnedCount(columns, width(4) / 0.6)).toBe(4);
  });

  it('pins fewer metrics in a narrow table, the id always', () => {
    expect(pinnedCount(columns, width(2) / 0.6)).toBe(2);
    expect(pinnedCount(columns, 100)).toBe(1);
  });

  it('pins no field but the id', () => {
    expect(pinnedCount(tableColumns(['lr'], []), 2000)).toBe(1);
  });
});

describe('runValues', () => {
  const run = (params: object, metrics: object) =>
    ({ params, metrics }) as unknown as IExperiment;

  it('lists metrics then params, marking those that differ', () => {
    const rows = runValues([
      run({ lr: 0.1, opt: 'adam' }, { acc: 0.9 }),
      run({ lr: 0.2, opt: 'adam' }, { acc: 0.9, f1: 0.5 })
    ]);
    expect(rows.map(r => [r.kind, r.name, r.differ])).toEqual([
      ['metric', 'acc', false],
      ['metric', 'f1', true],
      ['param', 'lr', true],
      ['param', 'opt', false]
    ]);
    expect(rows[1].values).toEqual([undefined, 0.5]);
  });
});
