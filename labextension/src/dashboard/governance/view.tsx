import * as React from 'react';

import { IGovernance, IModelHealth } from '../../api';
import { formatTime } from '../../widgets/format';
import { LoadError, ReloadAndCount } from '../toolbar';
import { Badge, Deployed, Drift, Freshness, Metric, Trend } from './cells';
import { GovernanceModel } from './model';
import { liveText, rulesText } from './text';

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
  const count = table
    ? `${table.models.length} model(s)` +
      (table.now ? `, judged ${formatTime(table.now)}` : '')
    : '';
  return (
    <div className="jp-mlver-gov-pane">
      <div className="jp-mlver-dash-toolbar">
        <ReloadAndCount
          id="jp-mlver-gov-refresh"
          title="Judge the models again"
          onReload={() => void model.refresh()}
          countId="jp-mlver-gov-count"
          count={model.loading && !table ? 'Loading…' : count}
        />
      </div>
      <LoadError error={model.error} />
      {table && table.models.length === 0 && (
        <div className="jp-mlver-dash-empty jp-mlver-muted">
          No models yet. Register one with{' '}
          <code>%mlver model register NAME VARIABLE</code>.
        </div>
      )}
      {table && table.models.length > 0 && (
        <>
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
                {table.models.map(row => (
                  <GovernanceRow
                    key={row.name}
                    row={row}
                    table={table}
                    model={model}
                    onOpenModel={onOpenModel}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <div id="jp-mlver-gov-rules" className="jp-mlver-muted">
            Rules: {rulesText(table)}
            {table.notes.map(n => (
              <div key={n}>{n}</div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

/** A model's row, and under it (when unfolded) its reasons and live figures. */
function GovernanceRow(props: {
  row: IModelHealth;
  table: IGovernance;
  model: GovernanceModel;
  onOpenModel: (name: string) => void;
}): JSX.Element {
  const { row, table, model } = props;
  const open = model.isOpen(row.name);
  const rec = row.recommendation;
  return (
    <>
      <tr
        className="jp-mlver-gov-row"
        data-name={row.name}
        data-action={rec.action}
      >
        <td>
          <button
            className="jp-mlver-link jp-mlver-gov-model"
            title="Show this model in the side panel"
            onClick={() => props.onOpenModel(row.name)}
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
          <Drift row={row} threshold={table.rules.max_drift_share} />
        </td>
        <td>
          <Badge row={row} open={open} toggle={() => model.toggle(row.name)} />
        </td>
      </tr>
      {open && <Reasons row={row} />}
    </>
  );
}

/** Why: the recommendation's reason, each deployment's live figures, every finding. */
function Reasons(props: { row: IModelHealth }): JSX.Element {
  const { row } = props;
  const rec = row.recommendation;
  return (
    <tr className="jp-mlver-gov-reasons" data-name={row.name}>
      <td colSpan={COLUMNS.length}>
        <div className="jp-mlver-gov-reason">{rec.reason}</div>
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
  );
}
