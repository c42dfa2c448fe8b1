import * as React from 'react';

import { errorText } from '../request';

/**
 * What `useRequest` gives a view: the last value loaded, the error of the last try, and
 * a way to load again.
 */
export interface IRequest<T> {
  value: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Call `load` now and whenever a dependency changes; an answer that arrives after the
 * dependencies changed (or the view went away) is dropped.
 *
 * With `keep`, the last value stays while the next one loads (no flash on a refresh): a
 * view that may be shown another key's value checks what it got. Without it, the value
 * is cleared as each load starts.
 */
export function useRequest<T>(
  load: () => Promise<T>,
  deps: React.DependencyList,
  options: { keep?: boolean } = {}
): IRequest<T> {
  const keep = options.keep ?? true;
  const [value, setValue] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [loading, setLoading] = React.useState(true);
  const [nonce, setNonce] = React.useState(0);

  React.useEffect(() => {
    let live = true;
    setError(null);
    setLoading(true);
    if (!keep) {
      setValue(null);
    }
    load()
      .then(next => {
        if (live) {
          setValue(next);
        }
      })
      .catch(e => {
        if (live) {
          setError(errorText(e));
        }
      })
      .finally(() => {
        if (live) {
          setLoading(false);
        }
      });
    return () => {
      live = false;
    };
  }, [...deps, nonce]);

  const reload = React.useCallback(() => setNonce(n => n + 1), []);
  return { value, error, loading, reload };
}
