import * as React from 'react';

import { ISnapshotDetail } from '../../api';
import { formatTime, shortId } from '../format';

/** What a remote holds of the record: all of it, the record alone, or nothing. */
function remoteText(remote: ISnapshotDetail['remotes'][number]): string {
  if (!remote.pushed) {
    return 'not pushed';
  }
  return remote.data ? 'pushed' : 'pushed without data';
}

/**
 * A record's id, time, author, notebook (a link that opens it) and the remotes that
 * hold it.
 */
export function RecordFacts(props: {
  detail: ISnapshotDetail;
  onOpenNotebook?: (path: string) => void;
}): JSX.Element {
  const { detail, onOpenNotebook } = props;
  const { record } = detail;
  const path = detail.notebook_path;
  return (
    <dl className="jp-mlver-facts">
      <dt>id</dt>
      <dd>
        <code className="jp-mlver-id" title={record.id}>
          {shortId(record.id)}
        </code>
      </dd>
      <dt>created</dt>
      <dd>{formatTime(record.created)}</dd>
      {record.author && (
        <>
          <dt>author</dt>
          <dd
            title={`${record.author.name}${record.author.email ? ` <${record.author.email}>` : ''}`}
          >
            {record.author.name}
            {record.author.email ? ` <${record.author.email}>` : ''}
          </dd>
        </>
      )}
      {path && (
        <>
          <dt>notebook</dt>
          <dd>
            {onOpenNotebook ? (
              <button
                className="jp-mlver-link jp-mlver-cut"
                title={path}
                onClick={() => onOpenNotebook(path)}
              >
                {path}
              </button>
            ) : (
              <span className="jp-mlver-cut" title={path}>
                {path}
              </span>
            )}
            {record.notebook?.source && (
              <span className="jp-mlver-muted">
                {' '}
                (from {record.notebook.source})
              </span>
            )}
          </dd>
        </>
      )}
      {detail.remotes.length > 0 && (
        <>
          <dt>remotes</dt>
          <dd id="jp-mlver-remotes">
            {detail.remotes.map(r => (
              <span
                key={r.name}
                className={
                  r.pushed ? 'jp-mlver-pushed-badge' : 'jp-mlver-muted'
                }
              >
                {r.name}: {remoteText(r)}{' '}
              </span>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}
