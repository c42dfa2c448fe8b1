import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { getJob, IJob } from '../api';
import { useJob } from '../hooks/job';
import { IRequest, useRequest } from '../hooks/request';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getJob: jest.fn()
}));

// React 18's act() outside a test renderer.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

/** A promise and the functions that settle it, for answers that arrive when told. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

let root: Root;
let host: HTMLElement;

beforeEach(() => {
  host = document.createElement('div');
  root = createRoot(host);
});

afterEach(() => {
  act(() => root.unmount());
});

describe('useRequest', () => {
  let seen: IRequest<string>;
  const answers = new Map<string, ReturnType<typeof deferred<string>>>();

  function Probe(props: { id: string; keep?: boolean }): null {
    seen = useRequest(
      () => {
        const answer = deferred<string>();
        answers.set(props.id, answer);
        return answer.promise;
      },
      [props.id],
      { keep: props.keep }
    );
    return null;
  }

  it('drops an answer that arrives after its key changed', async () => {
    act(() => root.render(<Probe id="a" />));
    act(() => root.render(<Probe id="b" />));
    await act(async () => answers.get('b')!.resolve('B'));
    await act(async () => answers.get('a')!.resolve('A'));
    expect(seen.value).toBe('B');
    expect(seen.loading).toBe(false);
  });

  it('keeps the last value while the next loads, or clears it when asked', async () => {
    act(() => root.render(<Probe id="a" />));
    await act(async () => answers.get('a')!.resolve('A'));
    act(() => root.render(<Probe id="b" />));
    expect(seen.value).toBe('A');
    expect(seen.loading).toBe(true);
    act(() => root.render(<Probe id="c" keep={false} />));
    expect(seen.value).toBeNull();
  });

  it('says what went wrong, and loads again on reload', async () => {
    act(() => root.render(<Probe id="a" />));
    await act(async () => answers.get('a')!.reject(new Error('gone')));
    expect(seen.error).toBe('Error: gone');
    act(() => seen.reload());
    await act(async () => answers.get('a')!.resolve('back'));
    expect(seen.value).toBe('back');
    expect(seen.error).toBeNull();
  });
});

describe('useJob', () => {
  const mocked = getJob as jest.MockedFunction<typeof getJob>;
  const job = (state: IJob['state']) => ({ id: 'j1', state }) as IJob;
  let seen: ReturnType<typeof useJob>;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    mocked.mockReset();
  });

  it('polls a started job until it ends, then tells once', async () => {
    const finished = jest.fn();
    function Probe(): null {
      seen = useJob(finished);
      return null;
    }
    act(() => root.render(<Probe />));
    mocked
      .mockResolvedValueOnce(job('queued'))
      .mockResolvedValueOnce(job('running'))
      .mockResolvedValueOnce(job('succeeded'));
    await act(() => seen.start(async () => ({ job: 'j1', url: '/j1' })));
    expect(seen.running).toBe(true);
    for (let i = 0; i < 4; i++) {
      await act(async () => {
        jest.advanceTimersByTime(1000);
      });
    }
    expect(seen.job?.state).toBe('succeeded');
    expect(seen.running).toBe(false);
    expect(mocked).toHaveBeenCalledTimes(3);
    expect(finished).toHaveBeenCalledTimes(1);
  });

  it('says why a job could not start', async () => {
    function Probe(): null {
      seen = useJob();
      return null;
    }
    act(() => root.render(<Probe />));
    await act(() => seen.start(() => Promise.reject(new Error('no engine'))));
    expect(seen.error).toBe('Error: no engine');
    expect(seen.job).toBeNull();
  });
});
