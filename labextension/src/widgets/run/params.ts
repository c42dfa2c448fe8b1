/**
 * The run dialog's text fields read as the CLI reads `-p` and `--sweep`.
 */
import { Scalar } from '../../api';

/** `3` -> 3, `0.1` -> 0.1, `true` -> true; anything else stays a string (as the CLI types). */
export function parseScalar(text: string): Scalar {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    return Number(t);
  }
  if (/^(true|false)$/i.test(t)) {
    return t.toLowerCase() === 'true';
  }
  return t;
}

/** `lr=0.1 epochs=5` -> {lr: 0.1, epochs: 5}. */
export function parseParams(text: string): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const item of text.split(/[\s;]+/).filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new Error(`"${item}": write NAME=VALUE`);
    }
    out[item.slice(0, at)] = parseScalar(item.slice(at + 1));
  }
  return out;
}

/** `lr=0.1,0.01; depth=2,4` -> {lr: [0.1, 0.01], depth: [2, 4]}. */
export function parseSweep(text: string): Record<string, Scalar[]> {
  const out: Record<string, Scalar[]> = {};
  for (const item of text.split(/[\s;]+/).filter(Boolean)) {
    const at = item.indexOf('=');
    const values = item
      .slice(at + 1)
      .split(',')
      .filter(v => v.trim());
    if (at <= 0 || values.length === 0) {
      throw new Error(`"${item}": write NAME=V1,V2,...`);
    }
    out[item.slice(0, at)] = values.map(parseScalar);
  }
  return out;
}
