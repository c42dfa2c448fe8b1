import * as React from 'react';

import { getSnapshot } from '../../api';
import { useRequest } from '../../hooks/request';
import { MlverModel } from '../../model';
import { shortId, warningText } from '../format';
import { BackButton, pendingView } from '../nav';
import { Section, ValueTable } from '../section';
import { DataSection } from './data';
import { RecordFacts } from './facts';
import { GitSection } from './git';
import { ImagesSection } from './images';
import { SystemSections } from './system';
import { TagEditor } from './tags';

/**
 * One snapshot: message, tags, params, metrics, data, packages, system, git,
 * warnings, images; and the Tag / Build image / Compare actions.
 */
export function RecordView(props: {
  model: MlverModel;
  id: string;
  onOpenNotebook?: (path: string) => void;
}): JSX.Element {
  const { model, id } = props;
  const request = useRequest(() => getSnapshot(id), [id]);
  const detail = request.value;

  const back = <BackButton onClick={() => (model.selected = null)} />;
  if (request.error || !detail || detail.record.id !== id) {
    return pendingView({
      id: 'jp-mlver-record',
      className: 'jp-mlver-record',
      back,
      error: request.error,
      loading: `Loading ${shortId(id)}…`
    });
  }
  const { record } = detail;
  const warnings = record.execution?.warnings ?? [];
  return (
    <div
      className="jp-mlver-record"
      id="jp-mlver-record"
      data-id={record.id}
      tabIndex={-1}
    >
      <div className="jp-mlver-record-nav">
        {back}
        {record.parent && (
          <button
            id="jp-mlver-compare-parent"
            className="jp-mlver-button"
            title="Compare with the previous snapshot of this notebook"
            onClick={() => model.compareWith(record.parent!, id)}
          >
            Compare with previous
          </button>
        )}
      </div>
      <h3 className="jp-mlver-record-title" title={record.message}>
        {record.message || '(no message)'}
      </h3>
      <RecordFacts detail={detail} onOpenNotebook={props.onOpenNotebook} />
      <TagEditor
        id={id}
        tags={detail.tags}
        onTagged={() => {
          request.reload();
          void model.refresh();
        }}
      />
      {warnings.length > 0 && (
        <Section title={`Execution warnings (${warnings.length})`} open>
          <ul className="jp-mlver-warnings">
            {warnings.map((w, i) => (
              <li key={i}>{warningText(w)}</li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Parameters" open>
        <ValueTable values={record.params} cls="jp-mlver-params" />
      </Section>
      <Section title="Metrics" open>
        <ValueTable values={record.metrics} cls="jp-mlver-metrics" />
      </Section>
      <DataSection snapshot={id} data={record.data} />
      {detail.environment && (
        <SystemSections environment={detail.environment} />
      )}
      <GitSection git={record.git} diff={detail.git_diff} />
      <ImagesSection
        snapshot={id}
        images={detail.images}
        onBuilt={request.reload}
      />
    </div>
  );
}
