import * as React from 'react';

import { IDataEntry, IDataFile, listFiles } from '../api';
import { errorText } from '../request';
import { humanBytes } from './format';
import { Cell, HashCell } from './section';

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
  const [files, setFiles] = React.useState<IDataFile[]>([]);
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
      setError(errorText(e));
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
              <Cell
                className="jp-mlver-path"
                text={
                  f.path.startsWith(prefix)
                    ? f.path.slice(prefix.length)
                    : f.path
                }
                title={f.path}
              />
              <Cell text={humanBytes(f.size)} title={`${f.size} bytes`} />
              <HashCell hash={f.hash} stored={f.stored} />
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
