import * as React from 'react';

import { IDataEntry, listFiles } from '../api';
import { humanBytes } from './format';

const PAGE = 100;

/**
 * The files of a directory recorded as a tree, fetched a page at a time (a directory may
 * hold a million files; the record names only its tree).
 */
export function TreeFiles(props: {
  snapshot: string;
  entry: IDataEntry;
}): JSX.Element {
  const { snapshot, entry } = props;
  const [files, setFiles] = React.useState<IDataEntry[]>([]);
  const [total, setTotal] = React.useState<number | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);

  const more = async (): Promise<void> => {
    setBusy(true);
    try {
      const page = await listFiles(snapshot, entry.path, files.length, PAGE);
      setFiles(files.concat(page.files));
      setTotal(page.total);
      setError(null);
    } catch (e) {
      setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  React.useEffect(() => {
    void more();
  }, [snapshot, entry.path]);

  const prefix = `${entry.path}/`;
  return (
    <div className="jp-mlver-tree-files" data-path={entry.path}>
      {error && <div className="jp-mlver-error">{error}</div>}
      <table className="jp-mlver-table">
        <tbody>
          {files.map(f => (
            <tr key={f.path}>
              <td className="jp-mlver-path">
                {f.path.startsWith(prefix)
                  ? f.path.slice(prefix.length)
                  : f.path}
              </td>
              <td>{humanBytes(f.size)}</td>
              <td>
                <code title={f.hash}>{f.hash.slice(0, 10)}</code>
                {!f.stored && (
                  <span className="jp-mlver-muted" title="hash only">
                    {' '}
                    #
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total !== null && files.length < total && (
        <button
          className="jp-mlver-button jp-mlver-more-files"
          disabled={busy}
          onClick={() => void more()}
        >
          {busy ? 'Loading…' : `Show more (${files.length} of ${total})`}
        </button>
      )}
    </div>
  );
}
