import * as React from 'react';

import { getDrift, IColumnDrift, IHistogram } from '../api';
import { useRequest } from '../hooks/request';

const W = 180;
const H = 44;
/** Categories are named under their bars up to this many. */
const LABELLED = 6;

/** Reference (grey) and current (orange) shares side by side, per bin or category. */
export function Histogram(props: {
  histogram: IHistogram;
  name: string;
}): JSX.Element {
  const { histogram, name } = props;
  const n = histogram.reference.length;
  const top = Math.max(...histogram.reference, ...histogram.current, 1e-9);
  const slot = W / Math.max(n, 1);
  const bar = Math.max(1, slot / 2 - 0.5);
  const labels = histogram.categories ?? [];
  const first = histogram.edges?.[0];
  const end = histogram.edges?.[histogram.edges.length - 1];
  return (
    <svg
      className="jp-mlver-histogram"
      width={W}
      height={H + 12}
      role="img"
      aria-label={`${name}: reference and current distributions`}
    >
      {histogram.reference.map((r, i) => {
        const c = histogram.current[i];
        const x = i * slot;
        const tip = labels[i] ?? `bin ${i + 1}`;
        return (
          <g key={i}>
            <title>{`${tip}: reference ${(100 * r).toFixed(1)} %, current ${(100 * c).toFixed(1)} %`}</title>
            <rect
              className="jp-mlver-hist-ref"
              x={x}
              y={H - (H * r) / top}
              width={bar}
              height={(H * r) / top}
            />
            <rect
              className="jp-mlver-hist-cur"
              x={x + bar}
              y={H - (H * c) / top}
              width={bar}
              height={(H * c) / top}
            />
          </g>
        );
      })}
      {labels.length > 0 &&
        labels.length <= LABELLED &&
        labels.map((label, i) => (
          <text
            key={`l${i}`}
            x={(i + 0.5) * slot}
            y={H + 11}
            textAnchor="middle"
            className="jp-mlver-hist-axis"
          >
            {label.slice(0, 8)}
          </text>
        ))}
      {first !== undefined && end !== undefined && (
        <>
          <text x={0} y={H + 11} className="jp-mlver-hist-axis">
            {+first.toPrecision(3)}
          </text>
          <text
            x={W}
            y={H + 11}
            textAnchor="end"
            className="jp-mlver-hist-axis"
          >
            {+end.toPrecision(3)}
          </text>
        </>
      )}
    </svg>
  );
}

function score(c: IColumnDrift): string {
  if (c.p_value === 0) {
    return 'p<1e-300';
  }
  if (c.p_value !== null) {
    return `p=${c.p_value < 1e-4 ? c.p_value.toExponential(1) : c.p_value.toFixed(4)}`;
  }
  return c.distance !== null ? `d=${c.distance.toFixed(3)}` : '';
}

/**
 * Data drift of the tabular files that changed between two snapshots: per file the share
 * of drifted columns, per drifted column its test, score and a small histogram.
 */
export function DriftBlock(props: {
  a: string;
  b: string;
}): JSX.Element | null {
  const { a, b } = props;
  const request = useRequest(() => getDrift(a, b), [a, b], { keep: false });
  const { value: report, error } = request;
  if (error) {
    return (
      <section className="jp-mlver-block jp-mlver-drift">
        <h4>Data drift</h4>
        <div className="jp-mlver-error">{error}</div>
      </section>
    );
  }
  if (!report) {
    return (
      <section className="jp-mlver-block jp-mlver-drift">
        <h4>Data drift</h4>
        <div className="jp-mlver-muted">Testing the changed tables…</div>
      </section>
    );
  }
  if (report.files.length === 0) {
    return null;
  }
  return (
    <section className="jp-mlver-block jp-mlver-drift" id="jp-mlver-drift">
      <h4>
        Data drift ({report.files.filter(f => f.drifted).length} of{' '}
        {report.files.length} changed table(s) drifted)
      </h4>
      {report.files.map(f => {
        const drifted = f.columns.filter(c => c.drifted);
        const tested = f.columns.filter(c => c.test !== null);
        return (
          <div
            key={f.path}
            className={`jp-mlver-drift-file${f.drifted ? ' jp-mlver-changed' : ''}`}
            data-path={f.path}
            data-drifted={f.drifted}
          >
            <div className="jp-mlver-drift-head">
              <span className="jp-mlver-path">{f.path}</span>{' '}
              {f.note ? (
                <span className="jp-mlver-muted">{f.note}</span>
              ) : (
                <span
                  className={
                    f.drifted ? 'jp-mlver-drift-yes' : 'jp-mlver-muted'
                  }
                >
                  {f.drifted ? 'drift' : 'no drift'}: {drifted.length}/
                  {tested.length} columns ({Math.round(100 * f.drift_share)} %)
                </span>
              )}
            </div>
            {drifted.map(c => (
              <div
                key={c.name}
                className="jp-mlver-drift-column"
                data-column={c.name}
              >
                <div>
                  <b>{c.name}</b>{' '}
                  <span className="jp-mlver-muted">
                    {c.type} · {c.test} {score(c)} (threshold {c.threshold})
                  </span>
                </div>
                {c.histogram && (
                  <Histogram histogram={c.histogram} name={c.name} />
                )}
              </div>
            ))}
          </div>
        );
      })}
      <div className="jp-mlver-muted jp-mlver-hist-legend">
        <span className="jp-mlver-hist-swatch jp-mlver-hist-ref" /> a
        (reference) <span className="jp-mlver-hist-swatch jp-mlver-hist-cur" />{' '}
        b (current)
      </div>
    </section>
  );
}
