import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { getSnapshot } from '../api';
import { IExperiment } from './api';
import { ChartKind, ExperimentsModel } from './model';
import { metricSpec, numericParams, parallelSpec, seriesSpec } from './specs';
import { VegaChart } from './vega';

/** Series charts without picked rows show this many of the table's first rows. */
const DEFAULT_SERIES = 5;

const TABS: { kind: ChartKind; label: string }[] = [
  { kind: 'metric', label: 'Metric across snapshots' },
  { kind: 'series', label: 'Logged series' },
  { kind: 'parallel', label: 'Params vs metric' }
];

/**
 * The chart under the table: a metric across the filtered snapshots, the logged series of
 * the picked ones, or params against a metric in parallel coordinates.
 */
export function ChartsPane(props: {
  model: ExperimentsModel;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const { model, rendermime } = props;
  const names = model.chart === 'series' ? model.series : model.metrics;
  const metric = model.metric;
  return (
    <div className="jp-mlver-dash-charts">
      <div className="jp-mlver-dash-chartbar" role="tablist">
        {TABS.map(t => (
          <button
            key={t.kind}
            role="tab"
            id={`jp-mlver-dash-tab-${t.kind}`}
            aria-selected={model.chart === t.kind}
            className={`jp-mlver-button${model.chart === t.kind ? ' jp-mod-active' : ''}`}
            onClick={() => (model.chart = t.kind)}
          >
            {t.label}
          </button>
        ))}
        <label className="jp-mlver-dash-metric">
          {model.chart === 'series' ? 'series' : 'metric'}{' '}
          <select
            id="jp-mlver-dash-metric"
            value={metric ?? ''}
            disabled={names.length === 0}
            onChange={e => (model.metric = e.target.value)}
          >
            {names.map(n => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {metric === null ? (
        <div className="jp-mlver-muted jp-mlver-dash-empty">
          {model.chart === 'series'
            ? 'No snapshot logged a series yet (repeat --metric K=V, or log a list).'
            : 'No snapshot has metrics yet.'}
        </div>
      ) : model.chart === 'metric' ? (
        <MetricChart model={model} metric={metric} rendermime={rendermime} />
      ) : model.chart === 'series' ? (
        <SeriesChart model={model} metric={metric} rendermime={rendermime} />
      ) : (
        <ParallelChart model={model} metric={metric} rendermime={rendermime} />
      )}
    </div>
  );
}

interface IChartProps {
  model: ExperimentsModel;
  metric: string;
  rendermime: IRenderMimeRegistry | null;
}

function MetricChart(props: IChartProps): JSX.Element {
  const { model, metric } = props;
  const rows = model.view;
  const picked = model.picked;
  const spec = React.useMemo(
    () => metricSpec(rows, metric, picked),
    [rows, metric, picked]
  );
  return (
    <VegaChart
      id="jp-mlver-dash-chart"
      rendermime={props.rendermime}
      spec={spec}
    />
  );
}

function ParallelChart(props: IChartProps): JSX.Element {
  const { model, metric } = props;
  const rows = model.view;
  const params = React.useMemo(
    () => numericParams(rows, model.params),
    [rows, model.params]
  );
  const spec = React.useMemo(
    () => parallelSpec(rows, params, metric),
    [rows, params, metric]
  );
  if (params.length === 0) {
    return (
      <div className="jp-mlver-muted jp-mlver-dash-empty">
        No numeric params to plot.
      </div>
    );
  }
  return (
    <VegaChart
      id="jp-mlver-dash-chart"
      rendermime={props.rendermime}
      spec={spec}
    />
  );
}

function SeriesChart(props: IChartProps): JSX.Element {
  const { model, metric } = props;
  const cache = React.useRef(new Map<string, Record<string, unknown>>());
  const [loaded, setLoaded] = React.useState(0);
  const [error, setError] = React.useState<string | null>(null);
  const chosen: IExperiment[] = React.useMemo(() => {
    const picked = model.picked
      .map(id => model.row(id))
      .filter((r): r is IExperiment => !!r && metric in r.series);
    return picked.length
      ? picked
      : model.view.filter(r => metric in r.series).slice(0, DEFAULT_SERIES);
  }, [model.picked, model.view, metric]);

  React.useEffect(() => {
    let live = true;
    const missing = chosen.filter(r => !cache.current.has(r.id));
    Promise.all(missing.map(r => getSnapshot(r.id)))
      .then(details => {
        details.forEach(d => cache.current.set(d.record.id, d.record.metrics));
        if (live) {
          setLoaded(n => n + 1);
        }
      })
      .catch(e => live && setError(e?.text ?? String(e)));
    return () => {
      live = false;
    };
  }, [chosen]);

  const spec = React.useMemo(() => {
    const series = chosen
      .map(row => {
        const values = cache.current.get(row.id)?.[metric];
        return {
          row,
          values: Array.isArray(values)
            ? values.filter((v): v is number => typeof v === 'number')
            : []
        };
      })
      .filter(s => s.values.length > 0);
    return seriesSpec(series, metric);
  }, [chosen, metric, loaded]);

  if (error) {
    return <div className="jp-mlver-error">{error}</div>;
  }
  return (
    <div className="jp-mlver-dash-series">
      <div className="jp-mlver-muted">
        {model.picked.length
          ? `${chosen.length} picked snapshot(s) with ${metric}`
          : `The ${chosen.length} newest snapshot(s) in the table with ${metric}; tick rows to choose`}
      </div>
      <VegaChart
        id="jp-mlver-dash-chart"
        rendermime={props.rendermime}
        spec={spec}
      />
    </div>
  );
}
