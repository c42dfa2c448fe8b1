import * as React from 'react';

import { getJob, IJob, Scalar, startRun } from '../api';
import { MlverModel } from '../model';
import { MlverRequestError } from '../request';
import { formatValue, shortId } from './format';

const errorText = (error: unknown): string =>
  error instanceof MlverRequestError ? error.text : String(error);

/** `3` -> 3, `0.1` -> 0.1, `true` -> true; anything else stays a string (as the CLI types). */
export function parseScalar(text: string): Scalar {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    return Number(t);
  }
  if (/^(true|false)$/i.test(t)) {
    return t.toLowerCase() === 'true';
  }
  return t;
}

/** `lr=0.1 epochs=5` -> {lr: 0.1, epochs: 5}. */
export function parseParams(text: string): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const item of text.split(/[\s;]+/).filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new Error(`"${item}": write NAME=VALUE`);
    }
    out[item.slice(0, at)] = parseScalar(item.slice(at + 1));
  }
  return out;
}

/** `lr=0.1,0.01; depth=2,4` -> {lr: [0.1, 0.01], depth: [2, 4]}. */
export function parseSweep(text: string): Record<string, Scalar[]> {
  const out: Record<string, Scalar[]> = {};
  for (const item of text.split(/[\s;]+/).filter(Boolean)) {
    const at = item.indexOf('=');
    const values = item
      .slice(at + 1)
      .split(',')
      .filter(v => v.trim());
    if (at <= 0 || values.length === 0) {
      throw new Error(`"${item}": write NAME=V1,V2,...`);
    }
    out[item.slice(0, at)] = values.map(parseScalar);
  }
  return out;
}

/**
 * "Run with parameters…": the current notebook (as saved) once per point of a sweep grid,
 * as a server job (`POST runs`, what `jupyter mlver run` does); then the runs, best first.
 */
export function RunDialog(props: {
  model: MlverModel;
  notebook: string;
  onClose: () => void;
}): JSX.Element {
  const { model, notebook } = props;
  const [params, setParams] = React.useState('');
  const [sweep, setSweep] = React.useState('');
  const [jobs, setJobs] = React.useState(1);
  const [metric, setMetric] = React.useState('');
  const [job, setJob] = React.useState<IJob | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    if (!job || job.state === 'succeeded' || job.state === 'failed') {
      return;
    }
    const timer = window.setTimeout(() => {
      getJob(job.id)
        .then(next => {
          setJob(next);
          if (next.state === 'succeeded' || next.state === 'failed') {
            void model.refresh();
          }
        })
        .catch(e => setError(errorText(e)));
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [job]);

  const start = async (): Promise<void> => {
    setError(null);
    try {
      const started = await startRun({
        notebook,
        params: parseParams(params),
        sweep: parseSweep(sweep),
        jobs,
        metric: metric.trim() || undefined
      });
      setJob(await getJob(started.job));
    } catch (e) {
      setError(
        e instanceof Error && !(e instanceof MlverRequestError)
          ? e.message
          : errorText(e)
      );
    }
  };
  const running =
    job !== null && (job.state === 'queued' || job.state === 'running');
  const runs = job?.result?.runs ?? [];
  const metricNames = Array.from(
    new Set(runs.flatMap(r => Object.keys(r.metrics)))
  ).slice(0, 4);
  const paramNames = Array.from(
    new Set(runs.flatMap(r => Object.keys(r.params)))
  );

  return (
    <div
      id="jp-mlver-run-dialog"
      className="jp-mlver-run"
      role="dialog"
      aria-label="Run with parameters"
    >
      <div className="jp-mlver-run-title">
        Run {notebook.split('/').pop()} with parameters
      </div>
      <form
        className="jp-mlver-run-form"
        onSubmit={e => {
          e.preventDefault();
          if (!running) {
            void start();
          }
        }}
      >
        <label>
          Parameters
          <input
            id="jp-mlver-run-params"
            className="jp-mlver-input"
            placeholder="lr=0.01 epochs=5"
            value={params}
            onChange={e => setParams(e.target.value)}
          />
        </label>
        <label>
          Sweep (every combination)
          <input
            id="jp-mlver-run-sweep"
            className="jp-mlver-input"
            placeholder="lr=0.1,0.01; depth=2,4"
            value={sweep}
            onChange={e => setSweep(e.target.value)}
          />
        </label>
        <div className="jp-mlver-filters-row">
          <label>
            Kernels at a time
            <input
              id="jp-mlver-run-jobs"
              className="jp-mlver-input"
              type="number"
              min={1}
              max={8}
              value={jobs}
              onChange={e => setJobs(Math.max(1, Number(e.target.value) || 1))}
            />
          </label>
          <label>
            Best by metric
            <input
              id="jp-mlver-run-metric"
              className="jp-mlver-input"
              placeholder="acc or loss:min"
              value={metric}
              onChange={e => setMetric(e.target.value)}
            />
          </label>
        </div>
        <div className="jp-mlver-filters-row">
          <button
            id="jp-mlver-run-start"
            className="jp-mlver-button jp-mod-accept"
            type="submit"
            disabled={running}
            title="Run the saved notebook in fresh kernels; each run is a snapshot"
          >
            {running ? 'Running…' : 'Run'}
          </button>
          <button
            className="jp-mlver-button"
            type="button"
            onClick={props.onClose}
          >
            Close
          </button>
        </div>
      </form>
      {job && (
        <div
          id="jp-mlver-run-job"
          className={`jp-mlver-job jp-mod-${job.state}`}
          data-state={job.state}
          aria-live="polite"
        >
          {job.state}
          {job.total ? ` · ${job.step ?? 0}/${job.total} run(s) done` : ''}
          {job.message ? ` · ${job.message}` : ''}
          {job.error && (
            <div className="jp-mlver-error">{job.error.message}</div>
          )}
        </div>
      )}
      {runs.length > 0 && (
        <table id="jp-mlver-run-results" className="jp-mlver-table">
          <thead>
            <tr>
              <th>#</th>
              <th>status</th>
              {paramNames.map(n => (
                <th key={`p-${n}`}>{n}</th>
              ))}
              {metricNames.map(n => (
                <th key={`m-${n}`}>{n}</th>
              ))}
              <th>snapshot</th>
            </tr>
          </thead>
          <tbody>
            {runs.map(run => (
              <tr
                key={run.index}
                className={`jp-mlver-run-row jp-mod-${run.status}`}
                title={run.error?.error ?? run.output}
              >
                <td>{run.index}</td>
                <td>{run.status}</td>
                {paramNames.map(n => (
                  <td key={`p-${n}`}>{formatValue(run.params[n])}</td>
                ))}
                {metricNames.map(n => (
                  <td key={`m-${n}`}>{formatValue(run.metrics[n])}</td>
                ))}
                <td>
                  {run.snapshot ? (
                    <button
                      className="jp-mlver-link"
                      onClick={() => (model.selected = run.snapshot)}
                    >
                      {shortId(run.snapshot)}
                    </button>
                  ) : (
                    '-'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <div className="jp-mlver-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
