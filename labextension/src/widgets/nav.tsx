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
