/** A refusal from the API, as its problem+json body tells it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly rule: string | undefined,
    message: string,
    /** Per field: the field's path (content.narrative), the rule and the message to show beside it. */
    readonly errors: Array<{ field: string; rule: string; message: string }> = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The message for one field, to show next to it. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((error) => error.field === field || error.field.startsWith(`${field}.`))?.message;
  }
}

function csrfToken(): string | undefined {
  return document.cookie
    .split('; ')
    .find((cookie) => cookie.startsWith('rl_csrf='))
    ?.slice('rl_csrf='.length);
}

/** The newest global position this browser's commands wrote at. */
let writtenPosition: number | undefined;

/** ?minPosition=… for a read that must show this browser's own last write (read-your-writes). */
export const readYourWrites = (): Record<string, string> => (writtenPosition === undefined ? {} : { minPosition: String(writtenPosition) });

export interface Answer<T> {
  body: T;
  /** The stream version after a command, or of a resource read (ETag). */
  etag?: number;
}

/**
 * The browser's calls: the session cookie goes along, unsafe methods carry the
 * CSRF token, and any refusal becomes an ApiError with the fields it names.
 */
export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const unsafe = method !== 'GET';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(unsafe && csrfToken() ? { 'x-csrf-token': csrfToken()! } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    throw new ApiError(response.status, parsed?.rule, parsed?.detail ?? parsed?.title ?? response.statusText, parsed?.errors ?? [], parsed ?? {});
  }
  const position = (parsed as { position?: unknown } | undefined)?.position;
  if (unsafe && typeof position === 'number') writtenPosition = Math.max(writtenPosition ?? 0, position);
  const etag = response.headers.get('etag');
  return { body: parsed as T, ...(etag ? { etag: Number(etag.replace(/\D/g, '')) } : {}) };
}

export const api = {
  get: async <T>(path: string) => (await call<T>('GET', path)).body,
  post: async <T>(path: string, body?: unknown, ifMatch?: number) =>
    (await call<T>('POST', path, body ?? {}, ifMatch !== undefined ? { 'if-match': `"${ifMatch}"` } : {})).body,
  put: async <T>(path: string, body: unknown, ifMatch?: number) =>
    (await call<T>('PUT', path, body, ifMatch !== undefined ? { 'if-match': `"${ifMatch}"` } : {})).body,
};

/** What a command answers: the stream's new version and the global position to read at. */
export interface CommandResult {
  streamId: string;
  version: number;
  position?: number;
}
