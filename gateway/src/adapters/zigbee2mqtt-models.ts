import type { FieldRuleInput } from './mapping.ts';

/** A model row before defaults: description, field rules, optional battery property. */
export interface ModelRow {
  description: string;
  fields: FieldRuleInput[];
  battery?: string;
}

// Zigbee2MQTT publishes contact=true when the magnet is near: the door is closed.
const contact: FieldRuleInput = { property: 'contact', type: 'door', values: { true: 'closed', false: 'open' } };
const occupancy: FieldRuleInput = { property: 'occupancy', type: 'motion' };
const battery: FieldRuleInput = { property: 'battery', type: 'battery' };
const tamper: FieldRuleInput = { property: 'tamper', type: 'tamper', suffix: 'tamper' };

/**
 * Zigbee2MQTT device models (the `model` of the device definition, as on
 * zigbee2mqtt.io/devices/<MODEL>.html) and how their published state maps to
 * Hearth events. Sources are listed in docs/gateway.md. Add a row to support a
 * model; a config file may add or override rows (`models`).
 */
export const ZIGBEE2MQTT_MODELS: Record<string, ModelRow> = {
  RTCGQ11LM: { description: 'Aqara motion sensor', fields: [occupancy, battery] },
  RTCGQ14LM: { description: 'Aqara motion sensor P1', fields: [occupancy, battery] },
  RH3040: { description: 'Tuya PIR sensor', fields: [occupancy, tamper, battery] },
  MCCGQ11LM: { description: 'Aqara door and window contact', fields: [contact, battery] },
  'SNZB-04': { description: 'SONOFF contact sensor', fields: [contact, tamper, battery] },
  'MIR-HE200-TY': {
    description: 'Tuya/MultIR mmWave human presence radar with fall detection',
    fields: [
      // fall_down_status: none | maybe_fall | fall. "maybe" is passed on as a confidence, not dropped.
      { property: 'fall_down_status', type: 'fall', values: { fall: true, maybe_fall: 0.5 } },
      { property: 'presence', type: 'motion', suffix: 'presence' },
    ],
  },
  'JTYJ-GD-01LM/BW': { description: 'Aqara smoke detector', fields: [{ property: 'smoke', type: 'smoke' }, battery] },
  SJCGQ11LM: { description: 'Aqara water leak sensor', fields: [{ property: 'water_leak', type: 'water' }, battery] },
  WSDCGQ11LM: { description: 'Aqara temperature and humidity sensor', fields: [{ property: 'temperature', type: 'temperature' }, battery] },
  WXKG11LM: {
    description: 'Aqara wireless mini switch used as a call button (single/hold: call, double: "I\'m OK")',
    fields: [{ property: 'action', type: 'call', emit: 'always', values: { single: 'pressed', hold: 'pressed', double: 'cancelled' } }],
  },
};

/**
 * Rules for a device whose model has no row: the common Zigbee2MQTT property
 * names (occupancy, contact, water_leak, smoke, tamper, temperature).
 */
export const ZIGBEE2MQTT_FALLBACK: ModelRow = {
  description: 'unknown model: common properties',
  fields: [
    occupancy,
    contact,
    { property: 'water_leak', type: 'water', suffix: 'water' },
    { property: 'smoke', type: 'smoke', suffix: 'smoke' },
    tamper,
    { property: 'temperature', type: 'temperature', suffix: 'temp' },
    { property: 'fall_down_status', type: 'fall', suffix: 'fall', values: { fall: true, maybe_fall: 0.5 } },
  ],
};
