import type { HubEvent } from '../../protocol/index.ts';
import { SENSOR_KINDS } from '../../protocol/index.ts';

/** A commissioned sensor as the server sent it (the `config` command's `sensors`). */
export interface WalkSensor {
  sensor: string;
  type: string;
  room?: string | undefined;
  role?: string | undefined;
}

/**
 * The gateway's own walk test (`--walk-test`): one line per event, labelled
 * with the room and role the server commissioned (its `config` command), and
 * each commissioned sensor ticked off the first time it is heard, so the
 * terminal and the installer's console say the same.
 */
export class WalkTest {
  private sensors = new Map<string, WalkSensor>();
  private readonly heard = new Set<string>();

  constructor(private readonly out: (line: string) => void) {}

  /** The server's commissioning arrived (or was loaded at start). */
  commissioning(sensors: readonly WalkSensor[], announce: boolean): void {
    this.sensors = new Map(sensors.map((s) => [s.sensor, s]));
    if (!announce) return;
    const list = sensors.map((s) => `${s.sensor} (${where(s)})`).join(', ');
    this.out(`commissioning from the server: ${sensors.length} sensor${sensors.length === 1 ? '' : 's'}${list ? `: ${list}` : ''}; ${this.progress()}`);
  }

  /** The commissioned sensor, if any. */
  sensor(id: string): WalkSensor | undefined {
    return this.sensors.get(id);
  }

  /** One event's line; a commissioned sensor heard for the first time is ticked off. */
  line(e: HubEvent, source: string): string {
    const c = this.sensors.get(e.sensor);
    const bat = e.battery !== undefined ? `  battery ${e.battery}%` : '';
    const text = `${e.ts.slice(11, 19)}  ${e.sensor.padEnd(20)} ${e.type.padEnd(11)} ${JSON.stringify(e.value).padEnd(10)} (${c ? where(c) : 'not commissioned'}; ${SENSOR_KINDS[e.type].meaning})${bat}  [${source}]`;
    if (!c || this.heard.has(e.sensor)) return text;
    this.heard.add(e.sensor);
    return `${text}\n  ✔ ${e.sensor} tested; ${this.progress()}`;
  }

  private progress(): string {
    const done = [...this.sensors.keys()].filter((s) => this.heard.has(s)).length;
    return `${done} of ${this.sensors.size} commissioned sensors heard`;
  }
}

function where(s: WalkSensor): string {
  return `${s.room ?? ''}${s.role ? `/${s.role}` : ''}`;
}
