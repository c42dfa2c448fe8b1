import * as React from 'react';

/** A dashboard part's reload button and the line that counts what it shows. */
export function ReloadAndCount(props: {
  id: string;
  title: string;
  onReload: () => void;
  countId: string;
  count: string;
}): JSX.Element {
  return (
    <>
      <button
        id={props.id}
        className="jp-mlver-button"
        title={props.title}
        onClick={props.onReload}
      >
        ⟳
      </button>
      <span id={props.countId} className="jp-mlver-muted">
        {props.count}
      </span>
    </>
  );
}

/** Why a dashboard part could not load (nothing when it could). */
export function LoadError(props: { error: string | null }): JSX.Element | null {
  return props.error ? (
    <div className="jp-mlver-status jp-mod-error" role="alert">
      {props.error}
    </div>
  ) : null;
}
