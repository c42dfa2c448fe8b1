import { IExperiment, IExperimentsPage, listExperiments } from '../api';
import { cellValue } from '../dashboard/columns';
import { ExperimentsModel, MAX_PICKED } from '../dashboard/model';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listExperiments: jest.fn()
}));

const mocked = listExperiments as jest.MockedFunction<typeof listExperiments>;

function row(i: number, extra: Partial<IExperiment> = {}): IExperiment {
  return {
    id: `${i}`.padStart(64, '0'),
    created: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
    notebook: 'train.ipynb',
    parent: null,
    message: `run ${i}`,
    author: 'ada',
    tags: [],
    params: { depth: i % 3, opt: i % 2 ? 'adam' : 'sgd' },
    metrics: { acc: i / 10 },
    series: {},
    data_files: 0,
    ...extra
  };
}

function page(rows: IExperiment[]): IExperimentsPage {
  return {
    experiments: rows,
    params: [...new Set(rows.flatMap(r => Object.keys(r.params)))].sort(),
    metrics: [...new Set(rows.flatMap(r => Object.keys(r.metrics)))].sort(),
    series: [],
    total: rows.length,
    offset: 0,
    limit: rows.length,
    generation: 1
  };
}

async function loaded(rows: IExperiment[]): Promise<ExperimentsModel> {
  mocked.mockResolvedValueOnce(page(rows));
  const model = new ExperimentsModel();
  await model.refresh();
  return model;
}

describe('ExperimentsModel', () => {
  afterEach(() => mocked.mockReset());

  it('loads the rows, newest first by default, with a column per param and metric', async () => {
    const model = await loaded([1, 2, 3].map(i => row(i)));
    expect(model.total).toBe(3);
    expect(model.view.map(r => r.message)).toEqual(['run 3', 'run 2', 'run 1']);
    expect(model.columns.map(c => c.key)).toEqual([
      'id',
      'metric:acc',
      'created',
      'message',
      'notebook',
      'tags',
      'param:depth',
      'param:opt'
    ]);
  });

  it('sorts metrics best first, then flips; missing values stay last', async () => {
    const rows = [row(1), row(2), row(3, { metrics: {} }), row(4)];
    const model = await loaded(rows);
    model.sortBy('metric:acc');
    expect(model.sortDescending).toBe(true);
    expect(model.view.map(r => r.metrics.acc)).toEqual([
      0.4,
      0.2,
      0.1,
      undefined
    ]);
    model.sortBy('metric:acc');
    expect(model.view.map(r => r.metrics.acc)).toEqual([
      0.1,
      0.2,
      0.4,
      undefined
    ]);
  });

  it('sorts numbers before strings', async () => {
    const model = await loaded([
      row(1, { params: { x: 'b' } }),
      row(2, { params: { x: 10 } }),
      row(3, { params: { x: 'a' } }),
      row(4, { params: { x: 2 } })
    ]);
    model.sortBy('param:x');
    expect(model.view.map(r => r.params.x)).toEqual([2, 10, 'a', 'b']);
  });

  it('filters by text, including param=value', async () => {
    const model = await loaded([1, 2, 3, 4].map(i => row(i)));
    model.filter = 'opt=adam';
    expect(model.view.map(r => r.message).sort()).toEqual(['run 1', 'run 3']);
    model.filter = 'RUN 4';
    expect(model.view).toHaveLength(1);
  });

  it(`keeps the last ${MAX_PICKED} picks, and drops picks that left the table`, async () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(i));
    const model = await loaded(rows);
    rows.forEach(r => model.togglePicked(r.id));
    expect(model.picked).toEqual(rows.slice(-MAX_PICKED).map(r => r.id));
    model.togglePicked(rows[9].id);
    expect(model.picked).not.toContain(rows[9].id);

    mocked.mockResolvedValueOnce(page(rows.slice(0, 5)));
    await model.refresh();
    expect(model.picked).toEqual(rows.slice(2, 5).map(r => r.id));
  });

  it('charts the chosen metric, else the first', async () => {
    const model = await loaded([row(1)]);
    expect(model.metric).toBe('acc');
    model.metric = 'gone';
    expect(model.metric).toBe('acc');
    model.chart = 'series';
    expect(model.metric).toBeNull();
  });

  it('says why it could not load', async () => {
    mocked.mockRejectedValueOnce(new Error('offline'));
    const model = new ExperimentsModel();
    await model.refresh();
    expect(model.error).toBe('Error: offline');
    expect(model.loading).toBe(false);
  });

  it('reads a cell by its column', () => {
    const r = row(5, { tags: ['a', 'b'] });
    expect(
      cellValue(r, { key: 'tags', label: 'tags', kind: 'field', name: 'tags' })
    ).toBe('a b');
    expect(
      cellValue(r, {
        key: 'metric:acc',
        label: 'acc',
        kind: 'metric',
        name: 'acc'
      })
    ).toBe(0.5);
  });
});
