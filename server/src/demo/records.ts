import type { Db } from '../db/database.ts';
import type { Directory } from '../care/directory.ts';
import { ResidentRecords, type ResidentRecord } from '../care/resident-record.ts';
import type { Contact } from '../care/directory.ts';
import { SystemClock } from '../clock.ts';

/** Made-up records for the demo residents (fictional people, addresses and numbers; 01632 and 07700 900 are Ofcom's drama ranges). */
const DEMO_RECORDS: { record: ResidentRecord; contacts: Contact[] }[] = [
  {
    record: {
      address: { line1: '14 Willow Lane', town: 'Riverside', postcode: 'RV1 4WL' },
      phone: '01632 960 101',
      keySafe: { code: '4821', location: 'left of the front door, behind the ivy' },
      accessNotes: 'Front door sticks: lift and push. Stopcock under the kitchen sink.',
      gp: { name: 'Dr A. Rahman', practice: 'Riverside Health Centre', phone: '01632 960 500' },
      conditions: ['Osteoporosis', 'Atrial fibrillation'],
      medications: [
        { name: 'Apixaban 5 mg', dose: 'twice daily', warning: 'Anticoagulant: bleeding risk after a fall' },
        { name: 'Alendronic acid 70 mg', dose: 'weekly' },
      ],
      allergies: ['Penicillin'],
      language: 'English',
      communication: 'Hard of hearing on the left: speak slowly and clearly.',
      hazards: ['Small dog (friendly), Biscuit'],
      carePlan: 'Lives alone. Carer visits 08:30 and 18:00. Uses a walking frame indoors.',
    },
    contacts: [
      { name: 'Susan Clarke (daughter)', relation: 'next-of-kin', phone: '07700 900 111' },
      { name: 'Mr Ahmed (neighbour, no. 12)', relation: 'key-holder', phone: '07700 900 112' },
    ],
  },
  {
    record: {
      address: { line1: 'Flat 3, Mill House', line2: '2 Mill Street', town: 'Riverside', postcode: 'RV2 7MS' },
      phone: '01632 960 202',
      keySafe: { code: '1947', location: 'on the wall by the communal entrance' },
      accessNotes: 'Communal door code 2580. Second floor, lift available.',
      gp: { name: 'Dr P. Nowak', practice: 'Millbrook Surgery', phone: '01632 960 600' },
      conditions: ['Type 2 diabetes', 'COPD'],
      medications: [{ name: 'Metformin 500 mg', dose: 'twice daily' }, { name: 'Insulin glargine', warning: 'Check for hypoglycaemia if confused or drowsy' }],
      allergies: [],
      language: 'English, Welsh',
      hazards: ['Home oxygen in use: no smoking, no naked flames'],
      carePlan: 'District nurse Tuesdays. Daughter visits at weekends.',
    },
    contacts: [
      { name: 'Gwen Hughes (daughter)', relation: 'next-of-kin', phone: '07700 900 221' },
      { name: 'Riverside Housing warden', relation: 'key-holder', phone: '01632 960 290' },
    ],
  },
  {
    record: {
      address: { line1: '7 Orchard Close', town: 'Riverside', postcode: 'RV3 2OC' },
      phone: '01632 960 303',
      keySafe: { code: '3306', location: 'right of the back door' },
      accessNotes: 'Use the back door (side gate unlocked). Front door bolted at night.',
      gp: { name: 'Dr L. Okoro', practice: 'Riverside Health Centre', phone: '01632 960 500' },
      conditions: ['Early-stage dementia', 'Hypertension'],
      medications: [{ name: 'Donepezil 10 mg', dose: 'at night' }, { name: 'Amlodipine 5 mg', dose: 'daily' }],
      allergies: ['Latex'],
      language: 'Gujarati (English limited: ask for her son to interpret)',
      hazards: ['May leave home at night: check the garden first'],
      carePlan: 'Son lives nearby and visits daily. Day centre Mondays and Thursdays.',
    },
    contacts: [{ name: 'Raj Patel (son)', relation: 'next-of-kin', phone: '07700 900 331' }],
  },
];

/** Give every resident of the demo organisation (by name) a full record and contacts (the demo's residents are made up). */
export async function seedDemoRecords(db: Db, directory: Directory, organisation: string): Promise<void> {
  const records = new ResidentRecords(db, new SystemClock());
  const org = await db.selectFrom('organisations').select('id').where('name', '=', organisation).executeTakeFirstOrThrow();
  const orgId = org.id;
  const residents = await directory.listResidents(orgId);
  for (const [i, r] of residents.entries()) {
    const demo = DEMO_RECORDS[i % DEMO_RECORDS.length]!;
    await records.set(orgId, r.id, demo.record, null);
    await directory.setContacts(orgId, r.id, demo.contacts);
  }
}
