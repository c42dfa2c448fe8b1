import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The REST namespace of the server extension (under the server's base URL).
 */
export const NAMESPACE = 'jupyter-mlver';

/**
 * An error answered by the server extension: `{code, message, hint}` with an HTTP status.
 */
export class MlverRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null = null
  ) {
    super(message);
    this.name = 'MlverRequestError';
  }

  /**
   * The message and its hint, for people.
   */
  get text(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/**
 * What to show people for an error thrown by a request (or anything else).
 */
export function errorText(error: unknown): string {
  return error instanceof MlverRequestError ? error.text : String(error);
}

/**
 * Query parameters; undefined, null and '' values are left out.
 */
export type Query = Record<
  string,
  string | number | boolean | null | undefined
>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Call the jupyter_mlver REST API.
 *
 * @param path - the path under `<base_url>/jupyter-mlver/`, already URL-escaped
 * @param init - fetch options (method, body)
 * @param query - query parameters
 * @returns the decoded JSON body
 * @throws MlverRequestError on an HTTP error or a network failure
 */
export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  query: Query = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url =
    URLExt.join(settings.baseUrl, NAMESPACE, path) + queryString(query);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new MlverRequestError(
      0,
      'network_error',
      `cannot reach the Jupyter server: ${error}`
    );
  }
  const text = await response.text();
  let body: any = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { code: 'bad_response', message: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    throw new MlverRequestError(
      response.status,
      body?.code ?? `http_${response.status}`,
      body?.message ?? response.statusText,
      body?.hint ?? null
    );
  }
  return body as T;
}
