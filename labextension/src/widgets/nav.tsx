import * as React from 'react';

/**
 * The way back to the list from a record or a comparison, first in `.jp-mlver-record-nav`
 * in every state of a view.
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
 *
 * Called as a function, not rendered as a component: React then sees the same elements
 * (a div, its nav div, the back button) as in the loaded view and keeps their DOM nodes, so
 * a back button focused while loading keeps its keyboard focus when the content arrives.
 */
export function pendingView(props: {
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
