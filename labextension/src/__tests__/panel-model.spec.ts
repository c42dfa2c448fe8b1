import { ISnapshotPage, ISnapshotSummary, listSnapshots } from '../api';
import { MlverModel, PAGE_SIZE } from '../model';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listSnapshots: jest.fn()
}));

const mocked = listSnapshots as jest.MockedFunction<typeof listSnapshots>;

function summary(i: number): ISnapshotSummary {
  return {
    id: `${i}`.padStart(64, 'a'),
    created: '2026-01-01T00:00:00Z',
    notebook: 'a.ipynb',
    parent: null,
    environment: 'e'.repeat(64),
    tags: [],
    message: `snapshot ${i}`,
    author: null,
    params: {},
    metrics: {},
    git: null,
    data_files: 0,
    data_bytes: 0,
    warnings: 0,
    pushed: [],
    source: 'frontend'
  };
}

/** The server's answer for a store of `total` snapshots. */
function serve(total: number, generation = 1): void {
  mocked.mockImplementation(async query => {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    const ids = Array.from(
      { length: Math.max(0, Math.min(limit, total - offset)) },
      (_, i) => offset + i
    );
    const page: ISnapshotPage = {
      snapshots: ids.map(summary),
      total,
      offset,
      limit,
      latest: total ? summary(0).id : null,
      generation,
      store: '/store'
    };
    return page;
  });
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('MlverModel', () => {
  let model: MlverModel;

  beforeEach(async () => {
    serve(120);
    model = new MlverModel({ pollInterval: 60000, isActive: () => false });
    await settle();
  });

  afterEach(() => {
    model.dispose();
    mocked.mockReset();
  });

  it('loads the first page, and a later page when a row of it is asked for', async () => {
    expect(model.total).toBe(120);
    expect(model.rowAt(0)?.message).toBe('snapshot 0');
    expect(model.rowAt(PAGE_SIZE)).toBeUndefined(); // asks for page 2
    await settle();
    expect(model.rowAt(PAGE_SIZE)?.message).toBe(`snapshot ${PAGE_SIZE}`);
    expect(model.rowAt(120)).toBeUndefined();
    expect(mocked.mock.calls.map(c => c[0].offset)).toEqual([0, PAGE_SIZE]);
  });

  it('keeps the last two snapshots picked for comparison', () => {
    model.toggleCompare('a');
    model.toggleCompare('b');
    model.toggleCompare('c');
    expect(model.compare).toEqual(['b', 'c']);
    model.toggleCompare('b');
    expect(model.compare).toEqual(['c']);
  });

  it('moves between the list, a record and a comparison', () => {
    model.selected = 'x';
    expect(model.view).toBe('record');
    model.compareWith('p', 'x');
    expect(model.view).toBe('compare');
    expect(model.compare).toEqual(['p', 'x']);
    model.selected = null;
    expect(model.view).toBe('list');
  });

  it('opens a model, and a model version its snapshot', () => {
    model.modelName = 'wine';
    expect(model.section).toBe('models');
    model.openSnapshot('s');
    expect(model.section).toBe('snapshots');
    expect(model.selected).toBe('s');
  });

  it('asks the server again when the filter changes', async () => {
    model.tag = 'best';
    await settle();
    const last = mocked.mock.calls[mocked.mock.calls.length - 1][0];
    expect(last.tag).toBe('best');
  });

  it('refreshes only when the store changed', async () => {
    mocked.mockClear();
    await model.check();
    expect(mocked).toHaveBeenCalledTimes(1); // the limit=0 poll alone
    serve(121, 2);
    await model.check();
    expect(model.total).toBe(121);
  });

  it('shows a failed load as an error status', async () => {
    mocked.mockRejectedValue(new Error('down'));
    await model.refresh();
    expect(model.status).toEqual({ kind: 'error', text: 'Error: down' });
  });
});
