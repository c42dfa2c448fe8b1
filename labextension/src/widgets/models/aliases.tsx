import * as React from 'react';

import { IAliasEvent, IModelDetail, moveAlias, rollbackAlias } from '../../api';
import { errorText } from '../../request';
import { ErrorLine } from '../section';
import { CheckBox, Form, TextInput } from '../input';

/** "production → 1 (was 2)" */
function movedText(event: IAliasEvent): string {
  return (
    `${event.alias} → ${event.version}` +
    (event.previous ? ` (was ${event.previous})` : '')
  );
}

/**
 * Move an alias to a version; a refusal by the guard is shown with both metrics, and
 * can be overridden with a reason. Each alias can be rolled back.
 */
export function AliasForm(props: {
  detail: IModelDetail;
  onMoved: () => void;
}): JSX.Element {
  const { detail } = props;
  const [version, setVersion] = React.useState(String(detail.latest));
  const [alias, setAlias] = React.useState('');
  const [force, setForce] = React.useState(false);
  const [reason, setReason] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const [done, setDone] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);

  const act = async (run: () => Promise<IAliasEvent>): Promise<void> => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(movedText(await run()));
      setForce(false);
      setReason('');
      props.onMoved();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const name = alias.trim();
  const held = Object.keys(detail.aliases);
  return (
    <div className="jp-mlver-alias-actions">
      <Form
        id="jp-mlver-alias-form"
        onSubmit={() => {
          if (name) {
            const target = `${detail.name}:${version}`;
            void act(() => moveAlias(target, name, force, reason.trim()));
          }
        }}
      >
        <select
          id="jp-mlver-alias-version"
          className="jp-mlver-input"
          aria-label="Version"
          value={version}
          onChange={e => setVersion(e.target.value)}
        >
          {[...detail.versions].reverse().map(v => (
            <option key={v.id} value={String(v.version)}>
              v{v.version}
            </option>
          ))}
        </select>
        <TextInput
          id="jp-mlver-alias-name"
          list="jp-mlver-alias-names"
          placeholder="alias"
          label="Alias"
          value={alias}
          onChange={setAlias}
        />
        <datalist id="jp-mlver-alias-names">
          {[...new Set([...held, 'production', 'staging'])].map(a => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button
          id="jp-mlver-alias-move"
          className="jp-mlver-button jp-mod-accept"
          type="submit"
          disabled={!name || busy || (force && !reason.trim())}
        >
          Move alias
        </button>
      </Form>
      <div className="jp-mlver-inline-form">
        <CheckBox
          id="jp-mlver-alias-force"
          checked={force}
          onChange={setForce}
          label="override the guard"
        />
        {force && (
          <TextInput
            id="jp-mlver-alias-reason"
            placeholder="reason (required)"
            label="Reason"
            value={reason}
            onChange={setReason}
          />
        )}
      </div>
      {held.length > 0 && (
        <div className="jp-mlver-inline-form">
          {held.map(a => (
            <button
              key={a}
              className="jp-mlver-button jp-mlver-rollback"
              data-alias={a}
              disabled={busy}
              title={`Move ${a} back to the version that held it before`}
              onClick={() => void act(() => rollbackAlias(detail.name, a))}
            >
              Roll back {a}
            </button>
          ))}
        </div>
      )}
      <ErrorLine id="jp-mlver-alias-error" error={error} />
      {done && (
        <div id="jp-mlver-alias-done" className="jp-mlver-muted" role="status">
          {done}
        </div>
      )}
    </div>
  );
}
