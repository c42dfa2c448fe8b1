import * as React from 'react';

import { startRun } from '../../api';
import { useJob } from '../../hooks/job';
import { MlverModel } from '../../model';
import { JobStatus } from '../job';
import { ErrorLine } from '../section';
import { parseParams, parseSweep } from './params';
import { RunResults } from './results';
import { Form, TextInput } from '../input';

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
  const [invalid, setInvalid] = React.useState<string | null>(null);
  const run = useJob(() => void model.refresh());
  const job = run.job;

  const start = (): void => {
    let options: Parameters<typeof startRun>[0];
    try {
      options = {
        notebook,
        params: parseParams(params),
        sweep: parseSweep(sweep),
        jobs,
        metric: metric.trim() || undefined
      };
    } catch (e) {
      setInvalid((e as Error).message);
      return;
    }
    setInvalid(null);
    void run.start(() => startRun(options));
  };
  const field = (
    label: string,
    id: string,
    placeholder: string,
    value: string,
    set: (value: string) => void
  ): JSX.Element => (
    <label>
      {label}
      <TextInput
        id={id}
        placeholder={placeholder}
        label={label}
        value={value}
        onChange={set}
      />
    </label>
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
      <Form
        className="jp-mlver-run-form"
        onSubmit={() => {
          if (!run.running) {
            start();
          }
        }}
      >
        {field(
          'Parameters',
          'jp-mlver-run-params',
          'lr=0.01 epochs=5',
          params,
          setParams
        )}
        {field(
          'Sweep (every combination)',
          'jp-mlver-run-sweep',
          'lr=0.1,0.01; depth=2,4',
          sweep,
          setSweep
        )}
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
          {field(
            'Best by metric',
            'jp-mlver-run-metric',
            'acc or loss:min',
            metric,
            setMetric
          )}
        </div>
        <div className="jp-mlver-filters-row">
          <button
            id="jp-mlver-run-start"
            className="jp-mlver-button jp-mod-accept"
            type="submit"
            disabled={run.running}
            title="Run the saved notebook in fresh kernels; each run is a snapshot"
          >
            {run.running ? 'Running…' : 'Run'}
          </button>
          <button
            className="jp-mlver-button"
            type="button"
            onClick={props.onClose}
          >
            Close
          </button>
        </div>
      </Form>
      {job && (
        <JobStatus
          id="jp-mlver-run-job"
          job={job}
          progress={
            (job.total ? ` · ${job.step ?? 0}/${job.total} run(s) done` : '') +
            (job.message ? ` · ${job.message}` : '')
          }
        />
      )}
      <RunResults
        runs={job?.result?.runs ?? []}
        onOpen={id => (model.selected = id)}
      />
      <ErrorLine error={invalid ?? run.error} />
    </div>
  );
}
