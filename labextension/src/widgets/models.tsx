import * as React from 'react';
import { Clipboard } from '@jupyterlab/apputils';

import {
  getModel,
  IAliasEvent,
  IModelDetail,
  IModelRecord,
  IModelSummary,
  listModels,
  moveAlias,
  rollbackAlias
} from '../api';
import { MlverModel } from '../model';
import { errorText } from '../request';
import { formatTime, formatValue, humanBytes, shortId } from './format';
import { pendingView } from './nav';
import { imageRef } from './record';

/**
 * Fetch `load()` again whenever the store's generation changes (a version registered, an
 * alias moved, from here or from a kernel).
 */
function useFresh<T>(
  model: MlverModel,
  load: () => Promise<T>,
  key: string
): [T | null, string | null, () => void] {
  const [value, setValue] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  React.useEffect(() => {
    let live = true;
    load()
      .then(v => {
        if (live) {
          setValue(v);
          setError(null);
        }
      })
      .catch(e => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [model.generation, reload, key]);
  return [value, error, () => setReload(r => r + 1)];
}

/**
 * The models section: the list of registered models, or one model.
 */
export function ModelsSection(props: {
  model: MlverModel;
  onOpenNotebook?: (path: string) => void;
}): JSX.Element {
  const { model } = props;
  return model.modelName ? (
    <ModelView model={model} name={model.modelName} />
  ) : (
    <ModelList model={model} />
  );
}

function AliasBadges(props: { aliases: Record<string, number> }): JSX.Element {
  return (
    <>
      {Object.entries(props.aliases).map(([alias, version]) => (
        <span
          key={alias}
          className="jp-mlver-tag jp-mlver-alias"
          data-alias={alias}
        >
          {alias} → {version}
        </span>
      ))}
    </>
  );
}

function ModelList(props: { model: MlverModel }): JSX.Element {
  const { model } = props;
  const [data, error] = useFresh(model, listModels, 'list');
  if (error) {
    return (
      <div className="jp-mlver-error" role="alert">
        {error}
      </div>
    );
  }
  if (!data) {
    return <div className="jp-mlver-empty">Loading models…</div>;
  }
  if (data.models.length === 0) {
    return (
      <div id="jp-mlver-models" className="jp-mlver-empty">
        No models yet. Register one from a notebook with{' '}
        <code>%mlver model register NAME VARIABLE</code>.
      </div>
    );
  }
  return (
    <ul id="jp-mlver-models" className="jp-mlver-models">
      {data.models.map((m: IModelSummary) => (
        <li key={m.name}>
          <button
            className="jp-mlver-model-row"
            data-name={m.name}
            onClick={() => (model.modelName = m.name)}
          >
            <span className="jp-mlver-model-name">{m.name}</span>
            <span className="jp-mlver-muted">
              {' '}
              v{m.latest} · {m.versions} version(s)
            </span>
            <span className="jp-mlver-model-aliases">
              <AliasBadges aliases={m.aliases} />
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function ModelView(props: { model: MlverModel; name: string }): JSX.Element {
  const { model, name } = props;
  const [detail, error, reload] = useFresh(model, () => getModel(name), name);
  const back = (
    <button
      id="jp-mlver-models-back"
      className="jp-mlver-button jp-mlver-back"
      onClick={() => (model.modelName = null)}
    >
      ← Models
    </button>
  );
  if (error || !detail || detail.name !== name) {
    return pendingView({
      id: 'jp-mlver-model',
      className: 'jp-mlver-record',
      back,
      error,
      loading: `Loading ${name}…`
    });
  }
  const held: Record<number, string[]> = {};
  for (const [alias, version] of Object.entries(detail.aliases)) {
    (held[version] = held[version] ?? []).push(alias);
  }
  const versions = [...detail.versions].reverse();
  return (
    <div id="jp-mlver-model" className="jp-mlver-record" data-name={name}>
      <div className="jp-mlver-record-nav">{back}</div>
      <h3 className="jp-mlver-record-title">{name}</h3>
      <div className="jp-mlver-tags" id="jp-mlver-model-aliases">
        <AliasBadges aliases={detail.aliases} />
        {Object.keys(detail.aliases).length === 0 && (
          <span className="jp-mlver-muted">No aliases yet.</span>
        )}
      </div>
      <AliasForm detail={detail} onMoved={reload} />
      <details className="jp-mlver-section" open>
        <summary>Versions ({detail.versions.length})</summary>
        <ul className="jp-mlver-model-versions" id="jp-mlver-model-versions">
          {versions.map(v => (
            <VersionRow
              key={v.id}
              version={v}
              detail={detail}
              aliases={held[v.version] ?? []}
              onSnapshot={id => model.openSnapshot(id)}
            />
          ))}
        </ul>
      </details>
      <History events={detail.events} />
    </div>
  );
}

function VersionRow(props: {
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
        {props.aliases.map(a => (
          <span key={a} className="jp-mlver-tag jp-mlver-alias">
            {a}
          </span>
        ))}
        {gate && (
          <span className="jp-mlver-version-metric" title="the gate metric">
            {gate.metric}={formatValue(metric ?? null)}
          </span>
        )}
      </div>
      {v.description && <div>{v.description}</div>}
      <div className="jp-mlver-muted">
        {v.flavor} {v.artifact.kind} · {humanBytes(v.artifact.size)} ·{' '}
        {formatTime(v.created, true)}
      </div>
      <div className="jp-mlver-muted jp-mlver-ellipsis">
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
        <div
          key={image.id}
          className="jp-mlver-image jp-mlver-model-image"
          data-image-id={image.image_id}
        >
          <code className="jp-mlver-image-ref">{imageRef(image)}</code>
          <button
            className="jp-mlver-button jp-mlver-copy-ref"
            title="Copy the serving image's reference"
            onClick={() => Clipboard.copyToSystem(imageRef(image))}
          >
            Copy
          </button>
          <div className="jp-mlver-muted">
            serving image ·{' '}
            {image.reused
              ? 'reused'
              : `built in ${image.build_seconds?.toFixed(0)} s`}{' '}
            · {formatTime(image.created)}
          </div>
        </div>
      ))}
    </li>
  );
}

/**
 * Move an alias to a version; a refusal by the guard is shown with both metrics, and
 * can be overridden with a reason.
 */
function AliasForm(props: {
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
      const event = await run();
      setDone(
        `${event.alias} → ${event.version}` +
          (event.previous ? ` (was ${event.previous})` : '')
      );
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
  return (
    <div className="jp-mlver-alias-actions">
      <form
        id="jp-mlver-alias-form"
        className="jp-mlver-inline-form"
        onSubmit={e => {
          e.preventDefault();
          if (name) {
            void act(() =>
              moveAlias(`${detail.name}:${version}`, name, force, reason.trim())
            );
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
        <input
          id="jp-mlver-alias-name"
          className="jp-mlver-input"
          list="jp-mlver-alias-names"
          placeholder="alias"
          aria-label="Alias"
          value={alias}
          onChange={e => setAlias(e.target.value)}
        />
        <datalist id="jp-mlver-alias-names">
          {[
            ...new Set([
              ...Object.keys(detail.aliases),
              'production',
              'staging'
            ])
          ].map(a => (
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
      </form>
      <div className="jp-mlver-inline-form">
        <label className="jp-mlver-checkbox">
          <input
            id="jp-mlver-alias-force"
            type="checkbox"
            checked={force}
            onChange={e => setForce(e.target.checked)}
          />
          override the guard
        </label>
        {force && (
          <input
            id="jp-mlver-alias-reason"
            className="jp-mlver-input"
            placeholder="reason (required)"
            aria-label="Reason"
            value={reason}
            onChange={e => setReason(e.target.value)}
          />
        )}
      </div>
      {Object.keys(detail.aliases).length > 0 && (
        <div className="jp-mlver-inline-form">
          {Object.keys(detail.aliases).map(a => (
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
      {error && (
        <div id="jp-mlver-alias-error" className="jp-mlver-error" role="alert">
          {error}
        </div>
      )}
      {done && (
        <div id="jp-mlver-alias-done" className="jp-mlver-muted" role="status">
          {done}
        </div>
      )}
    </div>
  );
}

function History(props: { events: IAliasEvent[] }): JSX.Element {
  const events = [...props.events].reverse(); // newest first on screen
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
