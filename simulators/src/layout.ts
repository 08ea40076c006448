import type { SensorDescription } from '../../protocol/index.ts';

/**
 * The sensors of a typical one-bedroom telecare home: PIRs in each room, front
 * and back door contacts, bed and chair pads, a pendant with fall detection,
 * a smoke alarm and a room thermometer. Simulated residents move through it.
 */
export const STANDARD_LAYOUT: readonly SensorDescription[] = [
  { sensor: 'hall-pir', type: 'motion', room: 'hall' },
  { sensor: 'kitchen-pir', type: 'motion', room: 'kitchen', role: 'kitchen' },
  { sensor: 'lounge-pir', type: 'motion', room: 'lounge', role: 'living' },
  { sensor: 'bedroom-pir', type: 'motion', room: 'bedroom', role: 'bedroom' },
  { sensor: 'bathroom-pir', type: 'motion', room: 'bathroom', role: 'bathroom' },
  { sensor: 'front-door', type: 'door', room: 'hall', role: 'exterior-door' },
  { sensor: 'back-door', type: 'door', room: 'kitchen', role: 'exterior-door' },
  { sensor: 'bed-pad', type: 'bed', room: 'bedroom', role: 'bedroom' },
  { sensor: 'chair-pad', type: 'chair', room: 'lounge', role: 'living' },
  { sensor: 'lounge-temp', type: 'temperature', room: 'lounge', role: 'living' },
  { sensor: 'pendant', type: 'call', room: 'worn', role: 'pendant' },
  { sensor: 'pendant-fall', type: 'fall', room: 'worn', role: 'worn' },
  { sensor: 'hall-smoke', type: 'smoke', room: 'hall' },
];
