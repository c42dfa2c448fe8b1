/**
 * The tabular files drift compares, told by name as jupyter_mlver/core/drift/tables.py does.
 */
const TABLE =
  /\.(csv|tsv|tab|parquet|pq|jsonl|ndjson|json)(\.(gz|bz2|xz|zst))?$/i;

export function isTable(path: string): boolean {
  return TABLE.test(path);
}
