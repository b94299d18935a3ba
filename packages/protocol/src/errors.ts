/**
 * The one error catalogue. Every failure that reaches a client carries one of these stable
 * codes, over HTTP (`{ error: { code, message } }` with the status below) and over Socket.IO
 * (an ack `{ ok: false, error: { code, message } }`). Anything not listed is `INTERNAL`
 * for the client, with the cause logged on the server.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, message: 'The request is malformed.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request is too large.' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in first.' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong email or password.' },
  FORBIDDEN: { status: 403, message: 'You may not do that.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  UNKNOWN_SITE: { status: 404, message: 'No site has this key.' },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'This origin is not allowed for the site.' },
  INVALID_TOKEN: { status: 401, message: 'The visitor token is invalid.' },
  DUPLICATE_ID_CONFLICT: { status: 409, message: 'A different message was already sent with this id.' },
  CONVERSATION_CLOSED: { status: 409, message: 'The conversation is closed.' },
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists.' },
  LAST_ADMIN: { status: 409, message: 'A site needs at least one admin.' },
  AT_CAPACITY: { status: 409, message: 'You are at your chat capacity.' },
  BLOCKED: { status: 403, message: 'This visitor is blocked on this site.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  UNKNOWN_EVENT: { status: 400, message: 'Unknown event.' },
  /** REST API: no `Authorization: Bearer …`, or a token that is wrong, revoked or expired */
  INVALID_API_TOKEN: { status: 401, message: 'The API token is missing, wrong, revoked or expired.' },
  /** REST API: a read-only token tried to change something */
  INSUFFICIENT_SCOPE: { status: 403, message: 'This API token may only read.' },
  /** the rating of a chat came too late (the site's rateMinutes after its end), or before it ended */
  RATING_CLOSED: { status: 409, message: 'This chat cannot be rated now.' },
  /** email asked for, but no SMTP server is configured */
  EMAIL_OFF: { status: 409, message: 'Email is not set up on this server.' },
  EDIT_WINDOW_CLOSED: { status: 409, message: 'Only your last message can be changed, and only for 5 minutes after sending it.' },
  UNSUPPORTED_FILE: { status: 415, message: 'This kind of file cannot be sent: images (PNG, JPEG, GIF, WebP), PDF, text and office documents can.' },
  ATTACHMENTS_OFF: { status: 403, message: 'Files are turned off for this site.' },
  /** a webhook URL that is not http(s), or points at a private or loopback address */
  URL_NOT_ALLOWED: { status: 400, message: 'This URL may not receive webhooks.' },
  /** retryable: the database is locked by another process; send the same request (same message id) again */
  BUSY: { status: 503, message: 'Busy for a moment; try again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** Every acknowledgement: a discriminated union, never an exception. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type Ack<T> = (res: Result<T>) => void;

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message?: string): { ok: false; error: ErrorBody } {
  return { ok: false, error: { code, message: message ?? ERROR_CATALOGUE[code].message } };
}

export function httpStatus(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** An error carrying a catalogue code, for the rare places where throwing is the clearest path. */
export class BeckonError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'BeckonError';
  }
}
