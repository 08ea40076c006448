// The recorded-homes section of docs/detection.md: targets, per home, per alert type, and a few false alerts in words.
import type { AlertType } from '../../../server/src/care/model.ts';
import { quantile } from './score.ts';
import { SERIOUS, type RealScore } from './score-real.ts';

/** Markers around the recorded-homes section, so either eval rewrites only its own part. */
export const REAL_START = '<!-- real-homes:start (npm run eval -- --dataset DIR) -->';
export const REAL_END = '<!-- real-homes:end -->';

const med = (xs: number[]): string => (xs.length ? `${Math.round(quantile(xs, 0.5) / 60_000)} min` : '–');
const per30 = (n: number, days: number): string => (days ? ((n / days) * 30).toFixed(2) : '–');

/** The section's markdown (without the markers). */
export function realReport(s: RealScore, meta: { command: string; dir: string; events: number; replayMs: number; svg?: string; sweepNote?: string }): string {
  const ok = (b: boolean): string => (b ? 'met' : '**not met**');
  const medMs = quantile(s.delays, 0.5);
  const types = SERIOUS.filter((t) => t !== 'fall' && t !== 'call');
  const lines = [
    '## Recorded homes (development set)',
    '',
    `Produced by \`${meta.command}\` (${new Date().toISOString().slice(0, 10)}): ${s.homes.length} homes from \`${meta.dir}\`, ${meta.events.toLocaleString('en-GB')} events, replay ${(meta.replayMs / 1000).toFixed(1)} s. Scored by the dataset README's rules: after each home's first 14 days (learning), an urgent or high serious alert (fall, call, long lie, inactivity, not up, not home, night exit) not within 8 h after a labelled collapse onset and not inside a masked outage is false; false alerts per home-month = false alerts / (recorded days − 14) × 30; a collapse is caught by an inactivity or long-lie alert within 8 h of its onset, its delay measured from the onset. The homes are mapped to home descriptions by \`simulators/src/eval/dataset.ts\` (each sensor's room; role \`presence\` → evidence presence, \`activity\` → evidence touch; bathroom sensors get the bathroom role; one resident per home, the plan's defaults).`,
    '',
    '| target | figure | |',
    '|---|---|---|',
    `| every collapse caught | ${s.caught}/${s.collapses} | ${ok(s.caught === s.collapses)} |`,
    `| median delay at most 90 min | ${med(s.delays)} | ${ok(!Number.isNaN(medMs) && medMs <= 90 * 60_000)} |`,
    `| at most 1 false urgent/high alert per home-month | ${s.falseAlerts} in ${s.scoredDays.toFixed(1)} home-days = ${s.falsePerHomeMonth.toFixed(2)} | ${ok(s.falsePerHomeMonth <= 1)} |`,
    '',
    '### By home',
    '',
    `| home | scored days | collapses caught | median delay | false per home-month | ${types.join(' | ')} |`,
    `|---|---|---|---|---|${types.map(() => '---').join('|')}|`,
    ...s.homes.map((h) => `| ${h.hub} | ${h.scoredDays.toFixed(1)} | ${h.caught}/${h.collapses} | ${med(h.delays)} | ${per30(h.falseAlerts, h.scoredDays)} | ${types.map((t) => h.falseByType[t] ?? 0).join(' | ')} |`),
    '',
    '### By alert type (false urgent/high alerts after learning)',
    '',
    '| alert | false alerts | per home-month |',
    '|---|---|---|',
    ...types.map((t: AlertType) => `| ${t} | ${s.falseByType[t] ?? 0} | ${per30(s.falseByType[t] ?? 0, s.scoredDays)} |`),
    '',
  ];
  const missed = s.homes.flatMap((h) => h.missed.map((m) => `${h.hub} ${m}`));
  if (missed.length) lines.push(`Missed collapses: ${missed.join(', ')}.`, '');
  const sample = s.homes.flatMap((h) => h.falseList).slice(0, 12);
  if (sample.length) {
    lines.push('### False alerts, in the detectors\' words (first 12)', '', '| home | raised | alert | cause |', '|---|---|---|---|');
    for (const a of sample) lines.push(`| ${a.hub} | ${a.raisedAt.slice(0, 16).replace('T', ' ')} | ${a.type} | ${(a.summary ?? '').replace(/\|/g, '/')} |`);
    lines.push('');
  }
  if (meta.svg) {
    lines.push('### The trade-off', '', `![median delay against false alerts per home-month](${meta.svg})`, '');
    if (meta.sweepNote) lines.push(meta.sweepNote, '');
  }
  return lines.join('\n');
}

/** Put a section between the markers into a document (appended when the markers are not there yet). */
export function spliceSection(doc: string, section: string): string {
  const block = `${REAL_START}\n${section.trimEnd()}\n${REAL_END}`;
  const a = doc.indexOf(REAL_START);
  const b = doc.indexOf(REAL_END);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + REAL_END.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** The section between the markers of a document, or '' when there is none. */
export function sectionOf(doc: string): string {
  const a = doc.indexOf(REAL_START);
  const b = doc.indexOf(REAL_END);
  return a >= 0 && b > a ? doc.slice(a + REAL_START.length, b).trim() : '';
}
