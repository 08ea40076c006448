import { z } from 'zod';

/** The shape of every error response. */
export const ErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string().optional() })).optional(),
});

/** Error responses every authenticated route may give. */
export const authErrors = { 401: ErrorSchema, 403: ErrorSchema } as const;

/** An id in a path or body: what every route takes for one (a string of 1 to 64 characters). */
export const Id = z.string().min(1).max(64);

/** Path parameters of a route about one thing: `:id`. */
export const IdParams = z.object({ id: Id });
