import { z } from 'zod';

/** The shape of every error response. */
export const ErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string().optional() })).optional(),
});

/** Error responses every authenticated route may give. */
export const authErrors = { 401: ErrorSchema, 403: ErrorSchema } as const;
