import * as React from 'react';

import { formatValue } from '../../widgets/format';

const SPARK_W = 72;
const SPARK_H = 22;

/**
 * The metric of the versions in the fit, with the fitted line (least squares, as the
 * server computes it).
 */
export function Sparkline(props: {
  versions: number[];
  values: number[];
  slope: number;
  falling: boolean;
}): JSX.Element {
  const { versions, values, slope, falling } = props;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const x0 = versions[0];
  const x1 = versions[versions.length - 1];
  const sx = (v: number): number =>
    x1 === x0 ? SPARK_W / 2 : 2 + ((v - x0) / (x1 - x0)) * (SPARK_W - 4);
  const sy = (y: number): number =>
    hi === lo
      ? SPARK_H / 2
      : SPARK_H - 2 - ((y - lo) / (hi - lo)) * (SPARK_H - 4);
  const mx = versions.reduce((a, b) => a + b, 0) / versions.length;
  const my = values.reduce((a, b) => a + b, 0) / values.length;
  const fit = (v: number): number => my + slope * (v - mx);
  const title = versions
    .map((v, i) => `v${v}: ${formatValue(values[i])}`)
    .join(', ');
  return (
    <svg
      className={`jp-mlver-spark${falling ? ' jp-mod-falling' : ''}`}
      width={SPARK_W}
      height={SPARK_H}
      role="img"
      aria-label={title}
    >
      <title>{title}</title>
      <line
        className="jp-mlver-spark-fit"
        x1={sx(x0)}
        y1={sy(fit(x0))}
        x2={sx(x1)}
        y2={sy(fit(x1))}
      />
      <polyline
        className="jp-mlver-spark-line"
        points={versions.map((v, i) => `${sx(v)},${sy(values[i])}`).join(' ')}
      />
      {versions.map((v, i) => (
        <circle
          key={v}
          className="jp-mlver-spark-point"
          cx={sx(v)}
          cy={sy(values[i])}
          r={1.8}
        />
      ))}
    </svg>
  );
}
