import * as React from 'react';

import { getJob, IJob, IJobStarted, isFinished } from '../api';
import { errorText } from '../request';

/** How often a running job is asked for its state. */
export const POLL_MS = 1000;

/**
 * A server job (image build, notebook run): start it, then poll it until it ends;
 * `onFinished` runs once with its last state.
 */
export function useJob(onFinished?: (job: IJob) => void): {
  job: IJob | null;
  error: string | null;
  running: boolean;
  start: (begin: () => Promise<IJobStarted>) => Promise<void>;
} {
  const [job, setJob] = React.useState<IJob | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const finished = React.useRef(onFinished);
  finished.current = onFinished;

  React.useEffect(() => {
    if (!job || isFinished(job)) {
      return;
    }
    const timer = window.setTimeout(() => {
      getJob(job.id)
        .then(next => {
          setJob(next);
          if (isFinished(next)) {
            finished.current?.(next);
          }
        })
        .catch(e => setError(errorText(e)));
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [job]);

  const start = async (begin: () => Promise<IJobStarted>): Promise<void> => {
    setError(null);
    try {
      const started = await begin();
      setJob(await getJob(started.job));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const running = job !== null && !isFinished(job);
  return { job, error, running, start };
}
