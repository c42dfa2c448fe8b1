import * as React from 'react';

import { IAliasEvent } from '../../api';
import { formatTime } from '../format';

/** "production → 2" badges, one per alias. */
export function AliasBadges(props: {
  aliases: Record<string, number>;
}): JSX.Element {
  return (
    <>
      {Object.entries(props.aliases).map(([alias, version]) => (
        <span
          key={alias}
          className="jp-mlver-tag jp-mlver-alias"
          data-alias={alias}
          title={`${alias} → version ${version}`}
        >
          {alias} → {version}
        </span>
      ))}
    </>
  );
}

/** Every move of the model's aliases, newest first, forced ones and rollbacks marked. */
export function History(props: { events: IAliasEvent[] }): JSX.Element {
  const events = [...props.events].reverse();
  return (
    <details className="jp-mlver-section" open>
      <summary>Alias history ({props.events.length})</summary>
      {events.length === 0 ? (
        <div className="jp-mlver-muted">No alias has been set.</div>
      ) : (
        <ul className="jp-mlver-alias-history" id="jp-mlver-alias-history">
          {events.map(e => (
            <li
              key={e.id}
              className="jp-mlver-alias-event"
              data-alias={e.alias}
            >
              <div>
                <span className="jp-mlver-alias-versions">
                  {e.alias}: {e.previous ?? '—'} → {e.version}
                </span>
                {e.forced && (
                  <span
                    className="jp-mlver-warning-badge"
                    title="the guard was overridden"
                  >
                    forced
                  </span>
                )}
                {e.rollback && <span className="jp-mlver-tag">rollback</span>}
              </div>
              <div className="jp-mlver-muted">
                {formatTime(e.created, true)}
                {e.author?.name ? ` · ${e.author.name}` : ''}
                {e.reason ? ` · ${e.reason}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
