/** One entry of the error catalogue: a stable code, an HTTP status and a message. */
export interface ErrorEntry {
  status: number;
  message: string;
}

/**
 * The error catalogue. Every error Hearth reports, over HTTP or in the
 * rejection log, carries one of these codes (documented in docs/errors.md).
 */
export const ERRORS = {
  HEARTH_ERR_INGEST_JSON: { status: 400, message: 'The MQTT payload is not valid JSON' },
  HEARTH_ERR_INGEST_SCHEMA: { status: 400, message: 'The event does not match the hub protocol' },
  HEARTH_ERR_INGEST_BATCH: { status: 400, message: 'The batch envelope is invalid (1 to 500 events)' },
  HEARTH_ERR_INGEST_TOPIC: { status: 400, message: 'Unknown topic under the hub prefix' },
  HEARTH_ERR_INGEST_DEPTH: { status: 400, message: 'The MQTT payload nests arrays or objects deeper than 32 levels' },
  HEARTH_ERR_INGEST_SIZE: { status: 400, message: 'The MQTT payload is over 256 KiB' },
  HEARTH_ERR_INGEST_INTERNAL: { status: 400, message: 'The message could not be judged; it is kept as a rejection' },
  HEARTH_ERR_NOT_READY: { status: 503, message: 'The server is not ready: store, broker or queue' },
  HEARTH_ERR_AUTH_REQUIRED: { status: 401, message: 'Sign in first' },
  HEARTH_ERR_AUTH_INVALID: { status: 401, message: 'Wrong username or password' },
  HEARTH_ERR_FORBIDDEN: { status: 403, message: 'Your role or organisation does not allow this' },
  HEARTH_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  HEARTH_ERR_VALIDATION: { status: 400, message: 'The request does not match its schema' },
  HEARTH_ERR_CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  HEARTH_ERR_OFF_DUTY: { status: 409, message: 'The urgent response team is off duty; confirm to dispatch it anyway' },
  HEARTH_ERR_RATE_LIMITED: { status: 429, message: 'Too many failed sign-ins; try again later' },
  HEARTH_ERR_PASSWORD_WEAK: { status: 400, message: 'The password is too weak' },
  HEARTH_ERR_CSRF: { status: 403, message: 'State changes need a JSON request from the console itself' },
  HEARTH_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'The server cannot write to its database (disk full or read-only); try again shortly' },
  HEARTH_ERR_PLAN_BOUNDS: { status: 400, message: "A monitoring plan value is outside the care model's safe bounds" },
  HEARTH_ERR_USAGE: { status: 400, message: 'The command line is not valid; see --help' },
  HEARTH_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, ErrorEntry>;

/** A code of the error catalogue. */
export type ErrorCode = keyof typeof ERRORS;

/** An error carrying a catalogue code; the API turns it into `{ code, message }`. */
export class HearthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
  }
}
