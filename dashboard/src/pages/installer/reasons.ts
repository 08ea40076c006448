// Why a hub's message was set aside, in words: one row per HEARTH_ERR code (docs/errors.md).

/** Sentence for each rejection reason code. */
export const REJECTION_REASONS: Record<string, string> = {
  HEARTH_ERR_INGEST_JSON: 'The message was not valid JSON (cut short or garbled).',
  HEARTH_ERR_INGEST_SCHEMA: 'The message did not match the hub protocol (a missing field, an unknown sensor kind or a value out of range).',
  HEARTH_ERR_INGEST_BATCH: 'The batch was malformed: it must hold 1 to 500 events.',
  HEARTH_ERR_INGEST_TOPIC: 'The hub published on a topic the protocol does not have.',
  HEARTH_ERR_INGEST_DEPTH: 'The message was nested too deeply to be read safely.',
  HEARTH_ERR_INGEST_SIZE: 'The message was too large.',
  HEARTH_ERR_INGEST_INTERNAL: 'The server could not judge the message; it was kept here so nothing is lost.',
};

/** The sentence for a reason code, or the code itself when it is new to the console. */
export function reasonInWords(code: string): string {
  return REJECTION_REASONS[code] ?? `Set aside (${code}).`;
}
