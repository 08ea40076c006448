import { z } from 'zod';
import { SENSOR_EVIDENCE, SENSOR_TYPES } from './sensor-kinds.ts';
import { HubId } from './schemas.ts';

/** Roles a sensor can have in a home, beyond its room: what it watches. */
export const SENSOR_ROLES = ['exterior-door', 'interior-door', 'bathroom', 'bedroom', 'living', 'kitchen', 'pendant', 'worn', 'fridge'] as const;

/** One sensor of a home, as commissioned: id, kind, room and role. */
export const SensorDescriptionSchema = z.object({
  sensor: z.string().min(1).max(64),
  type: z.enum(SENSOR_TYPES),
  room: z.string().min(1).max(64),
  role: z.enum(SENSOR_ROLES).optional(),
  /** Override of the kind's evidence (SENSOR_KINDS): a motion-typed cupboard contact is `touch`. */
  evidence: z.enum(SENSOR_EVIDENCE).optional(),
});
/** A sensor description. */
export type SensorDescription = z.infer<typeof SensorDescriptionSchema>;

/**
 * A home description (docs/replay.md): the hub, its residents with their time
 * zone and plan overrides, and each sensor's room and role. Read by
 * `npm run replay`, written by the simulators, and used to seed demo homes.
 */
export const HomeDescriptionSchema = z.object({
  hub: HubId,
  timezone: z.string().default('Europe/London'),
  residents: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        name: z.string().min(1).max(128),
        /** Overrides of the care model's plan defaults (see server/src/care/model.ts). */
        plan: z.record(z.string(), z.unknown()).default({}),
        away: z.boolean().default(false),
      }),
    )
    .min(0)
    .max(8),
  sensors: z.array(SensorDescriptionSchema).max(200),
});
/** A home description. */
export type HomeDescription = z.infer<typeof HomeDescriptionSchema>;
