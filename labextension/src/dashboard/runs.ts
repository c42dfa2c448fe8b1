/**
 * Several runs compared: their params and metrics side by side.
 */
import { IExperiment, Scalar } from '../api';

/** One row of the N-run comparison: a param or metric and its value in each run. */
interface IRunValues {
  kind: 'param' | 'metric';
  name: string;
  values: (Scalar | null | undefined)[];
  differ: boolean;
}

/** Every param and metric of the runs, metrics first, marking those that differ. */
export function runValues(runs: readonly IExperiment[]): IRunValues[] {
  const rows: IRunValues[] = [];
  for (const kind of ['metric', 'param'] as const) {
    const of = (r: IExperiment) => (kind === 'metric' ? r.metrics : r.params);
    const names = [...new Set(runs.flatMap(r => Object.keys(of(r))))].sort();
    for (const name of names) {
      const values = runs.map(r => of(r)[name]);
      const texts = new Set(values.map(v => JSON.stringify(v ?? null)));
      rows.push({ kind, name, values, differ: texts.size > 1 });
    }
  }
  return rows;
}
