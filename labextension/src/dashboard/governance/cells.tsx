/**
 * The cells of a governance row: each shows a figure and explains it in its tooltip.
 */
import * as React from 'react';

import { IModelHealth } from '../../api';
import { formatTime } from '../../widgets/format';
import { Sparkline } from './sparkline';
import { formatAge, formatSlope, secondsBetween } from './text';

export function Deployed(props: {
  row: IModelHealth;
  now: string | null;
}): JSX.Element {
  const d = props.row.deployed;
  if (!d) {
    return <span className="jp-mlver-muted">not deployed</span>;
  }
  const age = secondsBetween(d.since, props.now);
  return (
    <span title={d.since ? `since ${formatTime(d.since)} (${d.via})` : d.via}>
      v{d.version}
      {age !== null && (
        <span className="jp-mlver-muted"> for {formatAge(age)}</span>
      )}
      <div className="jp-mlver-muted jp-mlver-gov-via">{d.via}</div>
    </span>
  );
}

export function Metric(props: { row: IModelHealth }): JSX.Element {
  const m = props.row.metric;
  if (!m) {
    return <span className="jp-mlver-muted">no metric</span>;
  }
  const sources = {
    gate: 'the gate metric',
    config: 'chosen in [governance.models] of config.toml',
    first: "the first metric of the version's snapshot"
  };
  return (
    <span
      title={`${m.name}: ${sources[m.source]}; ${m.higher_is_better ? 'higher' : 'lower'} is better`}
    >
      <code>{m.name}</code>{' '}
      {m.value === null ? '—' : String(+m.value.toPrecision(4))}
    </span>
  );
}

export function Trend(props: { row: IModelHealth }): JSX.Element {
  const t = props.row.trend;
  if (!t) {
    return (
      <span
        className="jp-mlver-muted"
        title="Too few versions with the metric for a trend"
      >
        —
      </span>
    );
  }
  return (
    <span
      className={`jp-mlver-gov-trend${t.falling ? ' jp-mod-falling' : ''}`}
      title={`Least-squares slope over versions ${t.versions[0]}–${t.versions[t.versions.length - 1]}`}
    >
      <Sparkline {...t} />
      <span className="jp-mlver-gov-slope">{formatSlope(t.slope)}/v</span>
    </span>
  );
}

export function Freshness(props: { row: IModelHealth }): JSX.Element {
  const f = props.row.freshness;
  if (!f) {
    return <span className="jp-mlver-muted">snapshot not here</span>;
  }
  const data = f.data_recorded
    ? `newest training file: ${f.newest_file}, its content first recorded ${formatTime(f.data_recorded)}`
    : 'the snapshot recorded no training files';
  return (
    <span
      title={`${data}; trained in snapshot ${f.snapshot.slice(0, 12)} on ${formatTime(f.snapshot_created)}`}
    >
      data {formatAge(f.data_age_seconds)}
      <div className="jp-mlver-muted">
        trained {formatAge(f.snapshot_age_seconds)} ago
      </div>
    </span>
  );
}

export function Drift(props: {
  row: IModelHealth;
  threshold: number;
}): JSX.Element {
  const { row, threshold } = props;
  const share = row.drift_share;
  const canaries = row.deployments.filter(d => d.canary !== null);
  const notes = row.deployments.map(d => d.note).filter(Boolean);
  let title = 'Not served: no live inputs';
  if (row.deployments.length) {
    title =
      share === null
        ? `No live drift figure${notes.length ? ': ' + notes.join('; ') : ''}`
        : `Share of drifted columns of the sampled live inputs (retrain at ${threshold})`;
  }
  return (
    <span title={title}>
      {share === null ? (
        <span className="jp-mlver-muted">—</span>
      ) : (
        <span className={share >= threshold ? 'jp-mlver-drift-yes' : ''}>
          {share.toFixed(2)}
        </span>
      )}
      {canaries.map(d => (
        <div key={d.deployment} className="jp-mlver-muted">
          canary v{d.canary} {d.canary_weight}%
        </div>
      ))}
    </span>
  );
}

/** The recommendation as a badge; its reason is the tooltip and unfolds on click. */
export function Badge(props: {
  row: IModelHealth;
  open: boolean;
  toggle: () => void;
}): JSX.Element {
  const { row, open, toggle } = props;
  const rec = row.recommendation;
  return (
    <button
      className="jp-mlver-rec"
      data-action={rec.action}
      title={rec.reason}
      aria-expanded={open}
      onClick={toggle}
    >
      {rec.action}
    </button>
  );
}
