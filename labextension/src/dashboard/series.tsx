import * as React from 'react';

import { getSnapshot, IExperiment } from '../api';
import { useRequest } from '../hooks/request';
import { DashChart, IChartProps } from './vega';
import { seriesSpec } from './specs';

/** Series charts without picked rows show this many of the table's first rows. */
const DEFAULT_SERIES = 5;

/** The numeric values each row logged for `metric`, from the fetched records. */
function seriesOf(
  rows: IExperiment[],
  metric: string,
  metrics: Map<string, Record<string, unknown>>
): { row: IExperiment; values: number[] }[] {
  return rows
    .map(row => {
      const values = metrics.get(row.id)?.[metric];
      return {
        row,
        values: Array.isArray(values)
          ? values.filter((v): v is number => typeof v === 'number')
          : []
      };
    })
    .filter(s => s.values.length > 0);
}

/** The logged series of the picked snapshots (else of the table's first ones). */
export function SeriesChart(props: IChartProps): JSX.Element {
  const { model, metric } = props;
  const chosen: IExperiment[] = React.useMemo(() => {
    const picked = model.picked
      .map(id => model.row(id))
      .filter((r): r is IExperiment => !!r && metric in r.series);
    return picked.length
      ? picked
      : model.view.filter(r => metric in r.series).slice(0, DEFAULT_SERIES);
  }, [model.picked, model.view, metric]);
  // The logged series are in the records, not the table's rows: fetch the chosen ones
  // (each once: the cache outlives the choice).
  const cache = React.useRef(new Map<string, Record<string, unknown>>());
  const { value: loaded, error } = useRequest(async () => {
    const missing = chosen.filter(r => !cache.current.has(r.id));
    const details = await Promise.all(missing.map(r => getSnapshot(r.id)));
    details.forEach(d => cache.current.set(d.record.id, d.record.metrics));
    return chosen;
  }, [chosen]);

  const spec = React.useMemo(
    () => seriesSpec(seriesOf(loaded ?? [], metric, cache.current), metric),
    [loaded, metric]
  );
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
      <DashChart rendermime={props.rendermime} spec={spec} />
    </div>
  );
}
