import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { TrendChart, type ChartSeries } from '../../ui/chart.tsx';
import { addDays, clock, coordinatorApi, type TrendDayView, type TrendsResponse } from './api.ts';
import { Heatmap } from './heatmap.tsx';

/** The ranges a coordinator can look over. */
export const RANGES = [7, 30, 90] as const;

type FigureKey = keyof TrendDayView['figures'];

/** A figure's series and its usual range (interquartile range over the 28 days before each day) as a band. */
function figureSeries(days: TrendDayView[], key: FigureKey, label: string, colorVar: string): ChartSeries {
  return {
    label,
    colorVar,
    values: days.map((d) => d.figures[key].value),
    band: { lo: days.map((d) => d.figures[key].usual?.q1 ?? null), hi: days.map((d) => d.figures[key].usual?.q3 ?? null), label: 'usual range' },
  };
}

function roomSeries(days: TrendDayView[], room: string): ChartSeries {
  return {
    label: `Minutes in the ${room}`,
    colorVar: '--color-routine',
    values: days.map((d) => d.rooms[room]?.value ?? null),
    band: { lo: days.map((d) => d.rooms[room]?.usual?.q1 ?? null), hi: days.map((d) => d.rooms[room]?.usual?.q3 ?? null), label: 'usual range' },
  };
}

/** The last finished day's value and its usual range, in words (today is still running, so it is left out). */
function latestInWords(days: TrendDayView[], key: FigureKey, fmt: (v: number) => string): string {
  const today = days.at(-1)?.source === 'live' ? days.at(-1)?.day : undefined;
  const d = [...days].reverse().find((x) => x.day !== today && x.figures[key].value !== null);
  if (!d) return 'no data in this range';
  const p = d.figures[key];
  return `latest ${fmt(p.value!)} on ${d.day}${p.usual ? `; usual ${fmt(p.usual.q1)} to ${fmt(p.usual.q3)}` : '; usual range not learned yet'}${p.unusual ? ' (unusual)' : ''}`;
}

const mins = (v: number) => `${Math.round(v)} min`;
const count = (v: number) => String(Math.abs(v) >= 20 ? Math.round(v) : Math.round(v * 10) / 10);
const celsius = (v: number) => `${Math.round(v * 10) / 10} °C`;

/** The resident's trends over 7, 30 or 90 days, each against their usual range, in their local time. */
export function TrendCharts({ residentId, today }: { residentId: string; today: string }) {
  const [range, setRange] = useState<(typeof RANGES)[number]>(30);
  const [data, setData] = useState<TrendsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [room, setRoom] = useState<string>('');

  useEffect(() => {
    setData(null);
    coordinatorApi
      .trends(residentId, addDays(today, -(range - 1)), today)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'The trends could not be loaded.'));
  }, [residentId, today, range]);

  const days = data?.days ?? [];
  const dayList = days.map((d) => d.day);
  const rooms = [...new Set(days.flatMap((d) => Object.keys(d.rooms)))].sort();
  const shownRoom = room && rooms.includes(room) ? room : (rooms.find((r) => r === 'lounge') ?? rooms[0] ?? '');
  const withData = days.filter((d) => d.source !== 'none').length;

  return (
    <section aria-labelledby="trends-h" class="coord-section" id="trends">
      <h2 id="trends-h">Trends</h2>
      <div class="range-picker" role="group" aria-label="Range">
        {RANGES.map((n) => (
          <button type="button" key={n} aria-pressed={range === n} onClick={() => setRange(n)}>
            {n} days
          </button>
        ))}
      </div>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {!data && !error ? <p class="muted">Loading trends…</p> : null}
      {data ? (
        <>
          <p class="muted" data-testid="trend-coverage">
            {dayList[0]} to {dayList.at(-1)} in the resident's local time ({data.timezone}): {withData} of {days.length} days with data. Shaded bands are the resident's usual range (middle half of
            the 28 days before each day); gaps are days without data; today's point is the day so far.
          </p>
          <div class="chart-grid">
            <figure>
              <figcaption>Activity by hour and day</figcaption>
              <Heatmap heatmap={data.heatmap} />
            </figure>
            <figure>
              <figcaption>Activity per day (events) — {latestInWords(days, 'activity', count)}</figcaption>
              <TrendChart name="activity" label={`Activity per day over ${range} days`} days={dayList} series={[figureSeries(days, 'activity', 'Activity events', '--color-routine')]} format={count} />
            </figure>
            <figure>
              <figcaption>
                Rising and going to bed (local time) — rising {latestInWords(days, 'rising', clock)}; going to bed {latestInWords(days, 'retiring', clock)}
              </figcaption>
              <TrendChart
                name="rising"
                label={`Rising and going-to-bed times over ${range} days`}
                days={dayList}
                series={[figureSeries(days, 'rising', 'Rising', '--color-ok'), figureSeries(days, 'retiring', 'Going to bed', '--color-late')]}
                format={clock}
              />
            </figure>
            <figure>
              <figcaption>Night-time bathroom visits — {latestInWords(days, 'nightBathroomVisits', count)}</figcaption>
              <TrendChart name="night-bathroom" label={`Night-time bathroom visits over ${range} days`} days={dayList} series={[figureSeries(days, 'nightBathroomVisits', 'Visits a night', '--color-high')]} format={count} />
            </figure>
            <figure>
              <figcaption>
                Time in each room (minutes a day){' '}
                <label>
                  Room{' '}
                  <select value={shownRoom} onChange={(e) => setRoom((e.target as HTMLSelectElement).value)}>
                    {rooms.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </label>
              </figcaption>
              {shownRoom ? <TrendChart name="rooms" label={`Minutes in the ${shownRoom} per day over ${range} days`} days={dayList} series={[roomSeries(days, shownRoom)]} format={mins} /> : <p class="muted">No rooms with data.</p>}
            </figure>
            <figure>
              <figcaption>Time out of the home — {latestInWords(days, 'outMinutes', mins)}</figcaption>
              <TrendChart name="out" label={`Minutes out of the home per day over ${range} days`} days={dayList} series={[figureSeries(days, 'outMinutes', 'Minutes out', '--color-routine')]} format={mins} />
            </figure>
            <figure>
              <figcaption>Time in the chair — {latestInWords(days, 'chairMinutes', mins)}</figcaption>
              <TrendChart name="chair" label={`Minutes in the chair per day over ${range} days`} days={dayList} series={[figureSeries(days, 'chairMinutes', 'Minutes in the chair', '--color-high')]} format={mins} />
            </figure>
            <figure>
              <figcaption>Home temperature — {latestInWords(days, 'temperatureMean', celsius)}</figcaption>
              <TrendChart
                name="temperature"
                label={`Mean and lowest home temperature over ${range} days`}
                days={dayList}
                series={[figureSeries(days, 'temperatureMean', 'Mean °C', '--color-urgent'), figureSeries(days, 'temperatureMin', 'Lowest °C', '--color-routine')]}
                format={celsius}
              />
            </figure>
          </div>
        </>
      ) : null}
    </section>
  );
}
