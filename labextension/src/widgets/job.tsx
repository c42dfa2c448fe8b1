import * as React from 'react';

import { IJob } from '../api';

/**
 * A server job's state line (and, for builds, its hint and log), announced politely to
 * screen readers as it changes.
 */
export function JobStatus(props: {
  id: string;
  job: IJob;
  /** The line after the state: its phase, step and message. */
  progress: string;
  log?: boolean;
}): JSX.Element {
  const { job } = props;
  return (
    <div
      id={props.id}
      className={`jp-mlver-job jp-mod-${job.state}`}
      data-state={job.state}
      aria-live="polite"
    >
      <div>
        {job.state}
        {props.progress}
      </div>
      {job.error && !props.log && (
        <div className="jp-mlver-error">{job.error.message}</div>
      )}
      {props.log && job.error?.hint && (
        <div className="jp-mlver-muted">{job.error.hint}</div>
      )}
      {props.log && job.log.length > 0 && (
        <details>
          <summary>Log</summary>
          <pre className="jp-mlver-log">{job.log.join('\n')}</pre>
        </details>
      )}
    </div>
  );
}
