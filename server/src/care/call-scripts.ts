import { ALERT_TYPES, type AlertType } from './model.ts';

/** Whether an alert is about a person's welfare or about the equipment. */
export type AlertKind = 'welfare' | 'technical';

/** One outcome an alert may be closed with. */
export interface OutcomeInfo {
  label: string;
  kind: AlertKind;
}

/**
 * Outcomes, as data: welfare alerts close with what happened to the person,
 * technical alerts with what happened to the equipment. `false-alarm` and
 * `other` fit both.
 */
export const OUTCOME_TABLE = {
  'no-harm': { label: 'Spoke to the resident: no harm', kind: 'welfare' },
  assisted: { label: 'Resident assisted', kind: 'welfare' },
  'conveyed-to-hospital': { label: 'Conveyed to hospital', kind: 'welfare' },
  'gp-informed': { label: 'GP or district nurse informed', kind: 'welfare' },
  'fixed-remotely': { label: 'Fixed remotely (e.g. reconnected)', kind: 'technical' },
  'engineer-visit': { label: 'Engineer visit booked', kind: 'technical' },
  'equipment-replaced': { label: 'Battery or equipment replaced', kind: 'technical' },
  'false-alarm': { label: 'False alarm', kind: 'welfare' },
  other: { label: 'Other (say what in the note)', kind: 'welfare' },
} as const satisfies Record<string, OutcomeInfo>;
/** An outcome name. */
export type OutcomeName = keyof typeof OUTCOME_TABLE;
/** Every outcome name. */
export const OUTCOME_NAMES = Object.keys(OUTCOME_TABLE) as [OutcomeName, ...OutcomeName[]];

const BOTH: readonly OutcomeName[] = ['false-alarm', 'other'];

/** Whether an alert type is welfare or technical. */
export function kindOf(type: string): AlertKind {
  return (ALERT_TYPES as Record<string, { severity: string }>)[type]?.severity === 'technical' ? 'technical' : 'welfare';
}

/** The outcomes that fit an alert type, in the order the console offers them. */
export function outcomesFor(type: string): OutcomeName[] {
  const kind = kindOf(type);
  return OUTCOME_NAMES.filter((o) => BOTH.includes(o) || OUTCOME_TABLE[o].kind === kind);
}

/** A call script: the steps an operator follows for an alert type. */
export interface CallScript {
  title: string;
  steps: string[];
}

const WELFARE_CALL = 'Call the resident on their phone; introduce yourself and Hearth.';

/** The care model's call scripts, one per alert type (a default for types without one). */
export const CALL_SCRIPTS: Partial<Record<AlertType, CallScript>> & { default: CallScript } = {
  fall: {
    title: 'Fall',
    steps: [
      WELFARE_CALL,
      'Ask: are you hurt? Can you get up safely? Do not encourage them to get up if they are in pain.',
      'Check the record for conditions, medication (blood thinners) and hazards before advising.',
      'If there is no answer, injury, or they cannot get up: dispatch the urgent response team (or 999 if life-threatening).',
      'Ring the key holder if the team needs access; read out the key safe and access notes.',
      'Stay on the line or call back until someone is with them; note what was said.',
    ],
  },
  call: {
    title: 'Pendant call',
    steps: [
      'Speak through the hub: "Hello, this is Hearth, you pressed your button. How can I help?"',
      'If no answer, call the resident\'s phone.',
      'Decide: reassurance only, a contact, the GP, the urgent response team, or 999.',
      'Note what was asked and what you did.',
    ],
  },
  'long-lie': {
    title: 'Long lie',
    steps: [
      'Treat as a fall with possible injury: the person may have been on the floor for some time.',
      WELFARE_CALL,
      'Dispatch the urgent response team now unless the resident answers and is clearly fine.',
      'Tell the team how long the sensors suggest the resident has been down.',
    ],
  },
  'night-exit': {
    title: 'Left home at night',
    steps: [
      WELFARE_CALL,
      'If no answer, ring the key holder or next of kin to check the house.',
      'If the resident is missing and at risk (dementia noted in the record): dispatch the team and consider the police.',
    ],
  },
  smoke: {
    title: 'Smoke alarm',
    steps: [
      'Call the resident: is there a fire? Tell them to leave the house if they can.',
      'If there is a fire or no answer: call 999 (fire), then the key holder.',
      'Check hazards in the record (oxygen!) and tell the fire service.',
    ],
  },
  water: {
    title: 'Flood or water leak',
    steps: [WELFARE_CALL, 'Ask them to turn off the stopcock if safe (location in the access notes).', 'Ring the key holder or next of kin if they need help.'],
  },
  inactivity: {
    title: 'No movement for a long time',
    steps: [WELFARE_CALL, 'If no answer, ring the next of kin or key holder to check.', 'No contact within 15 minutes: dispatch the urgent response team.'],
  },
  'not-up': {
    title: 'Not up this morning',
    steps: [WELFARE_CALL, 'If no answer, ring the next of kin or key holder.', 'Still no contact: dispatch the urgent response team.'],
  },
  'not-home': {
    title: 'Not home when expected',
    steps: ['Call the resident\'s phone.', 'Ring the next of kin: are they with family?', 'If missing and at risk: dispatch the team and consider the police.'],
  },
  'hub-offline': {
    title: 'Hub offline',
    steps: [
      'The home is not monitored while the hub is offline: call the resident to check they are well.',
      'Ask whether the power or broadband is off, or the hub unplugged; ask them to plug it back in.',
      'If it stays offline, book an engineer visit (installer).',
    ],
  },
  default: {
    title: 'Alert',
    steps: [WELFARE_CALL, 'Decide what help is needed and record it in a note.'],
  },
};

/** The call script for an alert type. */
export function callScriptFor(type: string): CallScript {
  return CALL_SCRIPTS[type as AlertType] ?? (kindOf(type) === 'technical' ? TECHNICAL_DEFAULT : CALL_SCRIPTS.default);
}

const TECHNICAL_DEFAULT: CallScript = {
  title: 'Equipment fault',
  steps: ['Check on the resident if the fault leaves them unmonitored.', 'Ask the installer to fix it or book a visit; note what was done.'],
};
