import * as React from 'react';

import { getModel, IModelSummary, listModels } from '../../api';
import { useRequest } from '../../hooks/request';
import { MlverModel } from '../../model';
import { pendingView } from '../nav';
import { ErrorLine } from '../section';
import { AliasForm } from './aliases';
import { AliasBadges, History } from './history';
import { VersionRow } from './version';

/**
 * The models section: the list of registered models, or one model. Both load again
 * whenever the store's generation changes (a version registered, an alias moved, from
 * here or from a kernel).
 */
export function ModelsSection(props: { model: MlverModel }): JSX.Element {
  const { model } = props;
  return model.modelName ? (
    <ModelView model={model} name={model.modelName} />
  ) : (
    <ModelList model={model} />
  );
}

function ModelList(props: { model: MlverModel }): JSX.Element {
  const { model } = props;
  const { value: data, error } = useRequest(listModels, [model.generation]);
  if (error) {
    return <ErrorLine error={error} />;
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
  const request = useRequest(() => getModel(name), [model.generation, name]);
  const detail = request.value;
  const back = (
    <button
      id="jp-mlver-models-back"
      className="jp-mlver-button jp-mlver-back"
      onClick={() => (model.modelName = null)}
    >
      ← Models
    </button>
  );
  if (request.error || !detail || detail.name !== name) {
    return pendingView({
      id: 'jp-mlver-model',
      className: 'jp-mlver-record',
      back,
      error: request.error,
      loading: `Loading ${name}…`
    });
  }
  const held: Record<number, string[]> = {};
  for (const [alias, version] of Object.entries(detail.aliases)) {
    (held[version] = held[version] ?? []).push(alias);
  }
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
      <AliasForm detail={detail} onMoved={request.reload} />
      <details className="jp-mlver-section" open>
        <summary>Versions ({detail.versions.length})</summary>
        <ul className="jp-mlver-model-versions" id="jp-mlver-model-versions">
          {[...detail.versions].reverse().map(v => (
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
