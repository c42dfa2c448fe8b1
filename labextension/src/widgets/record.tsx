import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

import {
  addTag,
  getJob,
  getSnapshot,
  IImageRecord,
  IJob,
  ISnapshotDetail,
  startImageBuild,
  Value
} from '../api';
import { MlverModel } from '../model';
import { errorText } from '../request';
import {
  formatTime,
  formatValue,
  humanBytes,
  shortId,
  warningText
} from './format';
import { TreeFiles } from './files';
import { BackButton, pendingView } from './nav';

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
  const [detail, setDetail] = React.useState<ISnapshotDetail | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  const [openTrees, setOpenTrees] = React.useState<string[]>([]);

  React.useEffect(() => {
    let live = true;
    setError(null);
    getSnapshot(id)
      .then(d => live && setDetail(d))
      .catch(e => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, reload]);

  const back = <BackButton onClick={() => (model.selected = null)} />;
  if (error || !detail || detail.record.id !== id) {
    return pendingView({
      id: 'jp-mlver-record',
      className: 'jp-mlver-record',
      back,
      error,
      loading: `Loading ${shortId(id)}…`
    });
  }
  const { record, environment } = detail;
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
            onClick={() => model.compareWith(record.parent!, record.id)}
          >
            Compare with previous
          </button>
        )}
      </div>
      <h3 className="jp-mlver-record-title">
        {record.message || '(no message)'}
      </h3>
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
            <dd>
              {record.author.name}
              {record.author.email ? ` <${record.author.email}>` : ''}
            </dd>
          </>
        )}
        {detail.notebook_path && (
          <>
            <dt>notebook</dt>
            <dd>
              {props.onOpenNotebook ? (
                <button
                  className="jp-mlver-link"
                  onClick={() => props.onOpenNotebook!(detail.notebook_path!)}
                >
                  {detail.notebook_path}
                </button>
              ) : (
                detail.notebook_path
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
                  {r.name}:{' '}
                  {r.pushed
                    ? r.data
                      ? 'pushed'
                      : 'pushed without data'
                    : 'not pushed'}{' '}
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
      <TagEditor
        id={record.id}
        tags={detail.tags}
        onTagged={() => {
          setReload(r => r + 1);
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
      <Section
        title={`Data (${record.data.reduce((n, d) => n + (d.files ?? 1), 0)})`}
        open={record.data.length > 0}
      >
        {record.data.length === 0 ? (
          <div className="jp-mlver-muted">No data files.</div>
        ) : (
          <table className="jp-mlver-table jp-mlver-data">
            <thead>
              <tr>
                <th>path</th>
                <th>role</th>
                <th>size</th>
                <th>hash</th>
              </tr>
            </thead>
            <tbody>
              {record.data.map(d => (
                <React.Fragment key={d.path}>
                  <tr>
                    <td className="jp-mlver-path">
                      {d.kind === 'tree' ? (
                        <button
                          className="jp-mlver-link jp-mlver-tree-toggle"
                          aria-expanded={openTrees.includes(d.path)}
                          title="show the files of this directory"
                          onClick={() =>
                            setOpenTrees(
                              openTrees.includes(d.path)
                                ? openTrees.filter(p => p !== d.path)
                                : openTrees.concat([d.path])
                            )
                          }
                        >
                          {d.path}/ ({d.files} files)
                        </button>
                      ) : (
                        d.path
                      )}
                    </td>
                    <td>{d.role}</td>
                    <td>{humanBytes(d.size)}</td>
                    <td>
                      <code title={d.hash}>{d.hash.slice(0, 10)}</code>
                      {!d.stored && (
                        <span className="jp-mlver-muted" title="hash only">
                          {' '}
                          #
                        </span>
                      )}
                    </td>
                  </tr>
                  {d.kind === 'tree' && openTrees.includes(d.path) && (
                    <tr>
                      <td colSpan={4}>
                        <TreeFiles snapshot={record.id} entry={d} />
                      </td>
                    </tr>
                  )}
                </React.Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {environment && (
        <>
          <Section title="System">
            <dl className="jp-mlver-facts">
              <dt>python</dt>
              <dd>
                {environment.python.implementation} {environment.python.version}
              </dd>
              <dt>platform</dt>
              <dd>
                {environment.platform.system} {environment.platform.release}{' '}
                {environment.platform.machine}
                {environment.platform.os_release
                  ? ` (${environment.platform.os_release})`
                  : ''}
              </dd>
              <dt>cpu</dt>
              <dd>
                {environment.hardware.cpu} · {environment.hardware.cores} cores
                · {humanBytes(environment.hardware.memory_bytes)}
              </dd>
              {environment.hardware.gpus.map((g, i) => (
                <React.Fragment key={i}>
                  <dt>gpu</dt>
                  <dd>{g.name}</dd>
                </React.Fragment>
              ))}
              <dt>fingerprint</dt>
              <dd>
                <code>{environment.fingerprint.slice(0, 12)}</code>
              </dd>
            </dl>
          </Section>
          <Packages packages={environment.packages} />
        </>
      )}
      <Section title="Git">
        {record.git ? (
          <>
            <dl className="jp-mlver-facts">
              <dt>commit</dt>
              <dd>
                <code title={record.git.commit}>
                  {record.git.commit?.slice(0, 12)}
                </code>
                {record.git.branch ? ` on ${record.git.branch}` : ''}
                {record.git.dirty && (
                  <span className="jp-mlver-dirty"> (uncommitted changes)</span>
                )}
              </dd>
              {record.git.remote && (
                <>
                  <dt>remote</dt>
                  <dd>{record.git.remote}</dd>
                </>
              )}
            </dl>
            {detail.git_diff && (
              <details className="jp-mlver-diff-text">
                <summary>
                  Uncommitted diff ({humanBytes(detail.git_diff.bytes)}
                  {detail.git_diff.truncated ? ', truncated' : ''})
                </summary>
                <pre>{detail.git_diff.text}</pre>
              </details>
            )}
          </>
        ) : (
          <div className="jp-mlver-muted">Not in a git repository.</div>
        )}
      </Section>
      <Images
        snapshot={record.id}
        images={detail.images}
        onBuilt={() => setReload(r => r + 1)}
      />
    </div>
  );
}

function Section(props: {
  title: string;
  open?: boolean;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details className="jp-mlver-section" open={props.open}>
      <summary>{props.title}</summary>
      <div className="jp-mlver-section-body">{props.children}</div>
    </details>
  );
}

function ValueTable(props: {
  values: Record<string, Value>;
  cls: string;
}): JSX.Element {
  const keys = Object.keys(props.values).sort();
  if (keys.length === 0) {
    return <div className="jp-mlver-muted">None.</div>;
  }
  return (
    <table className={`jp-mlver-table ${props.cls}`}>
      <tbody>
        {keys.map(k => (
          <tr key={k} data-key={k}>
            <th>{k}</th>
            <td>{formatValue(props.values[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Packages(props: {
  packages: { name: string; version: string; source?: string }[];
}): JSX.Element {
  const [filter, setFilter] = React.useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? props.packages.filter(p => p.name.toLowerCase().includes(needle))
    : props.packages;
  return (
    <Section title={`Packages (${props.packages.length})`}>
      <input
        className="jp-mlver-input jp-mlver-package-filter"
        type="search"
        placeholder="Filter packages"
        aria-label="Filter packages"
        value={filter}
        onChange={e => setFilter(e.target.value)}
      />
      <table className="jp-mlver-table jp-mlver-packages">
        <tbody>
          {shown.map(p => (
            <tr key={p.name}>
              <th>{p.name}</th>
              <td>{p.version}</td>
              <td className="jp-mlver-muted">
                {p.source && p.source !== 'index' ? p.source : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function TagEditor(props: {
  id: string;
  tags: string[];
  onTagged: () => void;
}): JSX.Element {
  const [name, setName] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const submit = async (): Promise<void> => {
    if (!name.trim()) {
      return;
    }
    try {
      await addTag(props.id, name.trim());
      setName('');
      setError(null);
      props.onTagged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="jp-mlver-tags">
      {props.tags.map(tag => (
        <span key={tag} className="jp-mlver-tag">
          {tag}
        </span>
      ))}
      <form
        className="jp-mlver-inline-form"
        onSubmit={e => {
          e.preventDefault();
          void submit();
        }}
      >
        <input
          id="jp-mlver-tag-input"
          className="jp-mlver-input"
          placeholder="new tag"
          aria-label="New tag"
          value={name}
          onChange={e => setName(e.target.value)}
        />
        <button
          id="jp-mlver-tag-button"
          className="jp-mlver-button"
          type="submit"
          disabled={!name.trim()}
        >
          Tag
        </button>
      </form>
      {error && (
        <div className="jp-mlver-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function imageRef(image: IImageRecord): string {
  return image.tags[0] ?? image.repo_digests[0] ?? image.image_id;
}

function Images(props: {
  snapshot: string;
  images: IImageRecord[];
  onBuilt: () => void;
}): JSX.Element {
  const [job, setJob] = React.useState<IJob | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [tag, setTag] = React.useState('');

  React.useEffect(() => {
    if (!job || job.state === 'succeeded' || job.state === 'failed') {
      return;
    }
    const timer = window.setTimeout(() => {
      getJob(job.id)
        .then(next => {
          setJob(next);
          if (next.state === 'succeeded') {
            props.onBuilt();
          }
        })
        .catch(e => setError(errorText(e)));
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [job]);

  const build = async (): Promise<void> => {
    setError(null);
    try {
      const started = await startImageBuild({
        snapshot: props.snapshot,
        tag: tag.trim() || undefined
      });
      setJob(await getJob(started.job));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const running =
    job !== null && (job.state === 'queued' || job.state === 'running');
  return (
    <Section title={`Images (${props.images.length})`} open>
      {props.images.map(image => (
        <div key={image.id} className="jp-mlver-image">
          <code className="jp-mlver-image-ref">{imageRef(image)}</code>
          <button
            className="jp-mlver-button jp-mlver-copy-ref"
            title="Copy the image reference"
            onClick={() => Clipboard.copyToSystem(imageRef(image))}
          >
            Copy
          </button>
          <div className="jp-mlver-muted">
            {image.reused
              ? 'reused'
              : `built in ${image.build_seconds?.toFixed(0)} s`}{' '}
            · {formatTime(image.created)} · {image.tags.length} tag(s)
          </div>
        </div>
      ))}
      <form
        className="jp-mlver-inline-form"
        onSubmit={e => {
          e.preventDefault();
          void build();
        }}
      >
        <input
          className="jp-mlver-input"
          placeholder="version tag (optional)"
          aria-label="Image version tag"
          value={tag}
          onChange={e => setTag(e.target.value)}
        />
        <button
          id="jp-mlver-build-button"
          className="jp-mlver-button"
          type="submit"
          disabled={running}
        >
          Build image
        </button>
      </form>
      {job && (
        <div
          id="jp-mlver-job"
          className={`jp-mlver-job jp-mod-${job.state}`}
          data-state={job.state}
          aria-live="polite"
        >
          <div>
            {job.state}
            {job.phase ? ` · ${job.phase}` : ''}
            {job.step && job.total ? ` · step ${job.step}/${job.total}` : ''}
            {job.message ? ` · ${job.message}` : ''}
          </div>
          {job.error?.hint && (
            <div className="jp-mlver-muted">{job.error.hint}</div>
          )}
          {job.log.length > 0 && (
            <details>
              <summary>Log</summary>
              <pre className="jp-mlver-log">{job.log.join('\n')}</pre>
            </details>
          )}
        </div>
      )}
      {error && (
        <div className="jp-mlver-error" role="alert">
          {error}
        </div>
      )}
    </Section>
  );
}
