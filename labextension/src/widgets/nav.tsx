import * as React from 'react';

/**
 * The way back to the list from a record or a comparison. Views keep it in one place (inside
 * `.jp-mlver-record-nav`) in every state, so keyboard focus survives loading.
 */
export function BackButton(props: { onClick: () => void }): JSX.Element {
  return (
    <button
      id="jp-mlver-back"
      className="jp-mlver-button jp-mlver-back"
      onClick={props.onClick}
    >
      ← Snapshots
    </button>
  );
}

/**
 * A record or comparison still loading, or failed: the back button and one line.
 */
export function PendingView(props: {
  id: string;
  className: string;
  back: JSX.Element | null;
  error: string | null;
  loading: string;
}): JSX.Element {
  return (
    <div id={props.id} className={props.className}>
      <div className="jp-mlver-record-nav">{props.back}</div>
      {props.error ? (
        <div className="jp-mlver-error" role="alert">
          {props.error}
        </div>
      ) : (
        <div className="jp-mlver-empty">{props.loading}</div>
      )}
    </div>
  );
}
