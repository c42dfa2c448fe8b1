import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { ChartKind, ExperimentsModel, XAxis } from './model';
import { SeriesChart } from './series';
import { metricSpec, numericParams, parallelSpec } from './specs';
import { DashChart, IChartProps } from './vega';

const TABS: { kind: ChartKind; label: string }[] = [
  { kind: 'metric', label: 'Metric across snapshots' },
  { kind: 'series', label: 'Logged series' },
  { kind: 'parallel', label: 'Params vs metric' }
];

const AXES: { axis: XAxis; label: string }[] = [
  { axis: 'order', label: 'run order' },
  { axis: 'time', label: 'time' }
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
  const metric = model.metric;
  return (
    <div className="jp-mlver-dash-charts">
      <ChartBar model={model} />
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

/** Which chart, which metric, and (for the metric chart) what its x-axis is. */
function ChartBar(props: { model: ExperimentsModel }): JSX.Element {
  const { model } = props;
  const names = model.chart === 'series' ? model.series : model.metrics;
  return (
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
      {model.chart === 'metric' && (
        <label className="jp-mlver-dash-xaxis">
          x-axis{' '}
          <select
            id="jp-mlver-dash-xaxis"
            value={model.xAxis}
            onChange={e => (model.xAxis = e.target.value as XAxis)}
          >
            {AXES.map(a => (
              <option key={a.axis} value={a.axis}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="jp-mlver-dash-metric">
        {model.chart === 'series' ? 'series' : 'metric'}{' '}
        <select
          id="jp-mlver-dash-metric"
          value={model.metric ?? ''}
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
  );
}

function MetricChart(props: IChartProps): JSX.Element {
  const { model, metric } = props;
  const { view, picked, xAxis } = model;
  const spec = React.useMemo(
    () => metricSpec(view, metric, picked, xAxis),
    [view, metric, picked, xAxis]
  );
  return <DashChart rendermime={props.rendermime} spec={spec} />;
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
  return <DashChart rendermime={props.rendermime} spec={spec} />;
}
