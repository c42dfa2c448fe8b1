import * as React from 'react';

import { IModelDetail, IModelRecord } from '../../api';
import { formatTime, formatValue, humanBytes, shortId } from '../format';
import { ImageCard } from '../image';

/**
 * One version of a model: its aliases, gate metric, artifact, the snapshot it came from
 * (a link) and its serving images.
 */
export function VersionRow(props: {
  version: IModelRecord;
  detail: IModelDetail;
  aliases: string[];
  onSnapshot: (id: string) => void;
}): JSX.Element {
  const { version: v, detail } = props;
  const snap = detail.snapshots[v.snapshot];
  const gate = v.gate ?? detail.versions[detail.versions.length - 1]?.gate;
  const metric = gate ? snap?.metrics[gate.metric] : undefined;
  return (
    <li className="jp-mlver-model-version" data-version={v.version}>
      <div className="jp-mlver-row-title">
        <span className="jp-mlver-model-name">v{v.version}</span>
        {v.published === false && (
          <span
            className="jp-mlver-tag jp-mlver-version-local"
            title="Local: this number is not claimed on a remote yet (the push that publishes it claims it, or the next free one)"
          >
            local
          </span>
        )}
        {props.aliases.map(a => (
          <span key={a} className="jp-mlver-tag jp-mlver-alias" title={a}>
            {a}
          </span>
        ))}
        {gate && (
          <span
            className="jp-mlver-version-metric"
            title={`${gate.metric}=${formatValue(metric ?? null)} (the gate metric)`}
          >
            {gate.metric}={formatValue(metric ?? null)}
          </span>
        )}
      </div>
      {v.description && <div>{v.description}</div>}
      <div className="jp-mlver-muted">
        {v.flavor} {v.artifact.kind} · {humanBytes(v.artifact.size)} ·{' '}
        {formatTime(v.created, true)}
      </div>
      <div
        className="jp-mlver-muted jp-mlver-ellipsis"
        title={
          snap?.message ? `from ${v.snapshot}: ${snap.message}` : v.snapshot
        }
      >
        from{' '}
        <button
          className="jp-mlver-link jp-mlver-version-snapshot"
          title={`Show snapshot ${v.snapshot}`}
          onClick={() => props.onSnapshot(v.snapshot)}
        >
          {shortId(v.snapshot).slice(0, 8)}
        </button>
        {snap?.message ? ` ${snap.message}` : ''}
      </div>
      {(detail.images?.[v.id] ?? []).map(image => (
        <ImageCard
          key={image.id}
          image={image}
          className="jp-mlver-model-image"
          label="serving image"
          copyTitle="Copy the serving image's reference"
        />
      ))}
    </li>
  );
}
