import * as React from 'react';

import { formatTime, formatValue } from '../widgets/format';
import { IGovernance, IModelHealth, IVersionLive } from './api';
import { GovernanceModel } from './health';

/** Seconds as the largest whole unit: "40 d", "5 h", "12 min", "30 s". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '—';
  }
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60]
  ] as const) {
    if (seconds >= size) {
      return `${Math.round(seconds / size)} ${unit}`;
    }
  }
  return `${Math.round(seconds)} s`;
}

function formatSlope(slope: number): string {
  const text = String(+slope.toPrecision(3));
  return `${slope > 0 ? '+' : slope < 0 ? '−' : '±'}${text.replace('-', '')}`;
}

const SPARK_W = 72;
const SPARK_H = 22;

/**
 * The metric of the versions in the fit, with the fitted line (least squares, as the
 * server computes it).
 */
function Sparkline(props: {
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

/** Seconds from `since` to `now` (both RFC 3339), or null. */
function secondsBetween(
  since: string | null,
  now: string | null
): number | null {
  if (!since || !now) {
    return null;
  }
  const seconds = (Date.parse(now) - Date.parse(since)) / 1000;
  return isNaN(seconds) ? null : Math.max(0, seconds);
}

function Deployed(props: {
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

function Metric(props: { row: IModelHealth }): JSX.Element {
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

function Trend(props: { row: IModelHealth }): JSX.Element {
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

function Freshness(props: { row: IModelHealth }): JSX.Element {
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

function Drift(props: { row: IModelHealth; threshold: number }): JSX.Element {
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
function Badge(props: {
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

function liveText(v: IVersionLive): string {
  const figure = (x: number | null, text: (x: number) => string): string =>
    x === null ? '—' : text(x);
  return (
    `v${v.version} ${v.role} ${v.weight}%: ${v.requests} requests, ` +
    `${figure(v.error_rate, x => (100 * x).toFixed(1) + '%')} errors, ` +
    `p95 ${figure(v.p95_ms, x => x + ' ms')}, ` +
    `drift ${figure(v.drift_share, x => x.toFixed(2))}` +
    (v.running ? '' : ' (not running)')
  );
}

function rulesText(table: IGovernance): string {
  const r = table.rules;
  return (
    `retrain when the live drift share ≥ ${r.max_drift_share} or the metric's ` +
    `trend over the newest ${r.trend_versions} versions falls; roll back when a ` +
    `canary is worse than its stable version; judged: the ${r.alias} alias's version ` +
    '([governance] in the store’s config.toml)'
  );
}

const COLUMNS = [
  'model',
  'aliases',
  'deployed',
  'metric and trend',
  'freshness',
  'live drift',
  'recommendation'
];

/**
 * The Models tab: a row per model with its versions per alias, deployment, metric and
 * trend, data freshness, live drift and the recommendation.
 */
export function GovernanceView(props: {
  model: GovernanceModel;
  onOpenModel: (name: string) => void;
}): JSX.Element {
  const { model, onOpenModel } = props;
  const table = model.table;
  return (
    <div className="jp-mlver-gov-pane">
      <div className="jp-mlver-dash-toolbar">
        <button
          id="jp-mlver-gov-refresh"
          className="jp-mlver-button"
          title="Judge the models again"
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
        <span id="jp-mlver-gov-count" className="jp-mlver-muted">
          {model.loading && !table
            ? 'Loading…'
            : table
              ? `${table.models.length} model(s)` +
                (table.now ? `, judged ${formatTime(table.now)}` : '')
              : ''}
        </span>
      </div>
      {model.error && (
        <div className="jp-mlver-status jp-mod-error" role="alert">
          {model.error}
        </div>
      )}
      {table && table.models.length === 0 && (
        <div className="jp-mlver-dash-empty jp-mlver-muted">
          No models yet. Register one with{' '}
          <code>%mlver model register NAME VARIABLE</code>.
        </div>
      )}
      {table && table.models.length > 0 && (
        <div className="jp-mlver-gov-scroll">
          <table id="jp-mlver-governance" className="jp-mlver-gov">
            <thead>
              <tr>
                {COLUMNS.map(c => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.models.map(row => {
                const open = model.isOpen(row.name);
                const rec = row.recommendation;
                return (
                  <React.Fragment key={row.name}>
                    <tr
                      className="jp-mlver-gov-row"
                      data-name={row.name}
                      data-action={rec.action}
                    >
                      <td>
                        <button
                          className="jp-mlver-link jp-mlver-gov-model"
                          title="Show this model in the side panel"
                          onClick={() => onOpenModel(row.name)}
                        >
                          {row.name}
                        </button>
                        <div className="jp-mlver-muted">
                          v{row.version} of {row.latest}
                        </div>
                      </td>
                      <td>
                        {Object.entries(row.aliases).map(([alias, held]) => (
                          <span
                            key={alias}
                            className="jp-mlver-tag jp-mlver-alias"
                            data-alias={alias}
                            title={`since ${formatTime(held.since)}`}
                          >
                            {alias} → {held.version}
                          </span>
                        ))}
                        {Object.keys(row.aliases).length === 0 && (
                          <span className="jp-mlver-muted">—</span>
                        )}
                      </td>
                      <td>
                        <Deployed row={row} now={table.now} />
                      </td>
                      <td>
                        <Metric row={row} />
                        <div>
                          <Trend row={row} />
                        </div>
                      </td>
                      <td>
                        <Freshness row={row} />
                      </td>
                      <td>
                        <Drift
                          row={row}
                          threshold={table.rules.max_drift_share}
                        />
                      </td>
                      <td>
                        <Badge
                          row={row}
                          open={open}
                          toggle={() => model.toggle(row.name)}
                        />
                      </td>
                    </tr>
                    {open && (
                      <tr className="jp-mlver-gov-reasons" data-name={row.name}>
                        <td colSpan={COLUMNS.length}>
                          <div className="jp-mlver-gov-reason">
                            {rec.reason}
                          </div>
                          {row.deployments.map(d => (
                            <div
                              key={d.deployment}
                              className="jp-mlver-gov-deployment"
                              data-deployment={d.deployment}
                            >
                              deployment <b>{d.deployment}</b>:{' '}
                              {d.versions.length
                                ? d.versions.map(liveText).join(' · ')
                                : (d.note ?? 'no live figures')}
                            </div>
                          ))}
                          {rec.findings.length > 1 && (
                            <ul>
                              {rec.findings.map((f, i) => (
                                <li key={i} data-rule={f.rule}>
                                  <span
                                    className="jp-mlver-rec jp-mod-small"
                                    data-action={f.action}
                                  >
                                    {f.action}
                                  </span>{' '}
                                  {f.message}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    )}
                  </React.Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {table && table.models.length > 0 && (
        <div id="jp-mlver-gov-rules" className="jp-mlver-muted">
          Rules: {rulesText(table)}
          {table.notes.map(n => (
            <div key={n}>{n}</div>
          ))}
        </div>
      )}
    </div>
  );
}
