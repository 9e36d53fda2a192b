import { useEffect, useRef, useState } from 'preact/hooks';
import { addDays, region, STATUS_LABEL } from './format';
import type { Enrollment, TimelinePeriod } from './types';

const DAY = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;

const LABEL_W = 92;
const PAD_R = 12;
const AXIS_H = 22;
const ROW_H = 30;
const BAR_H = 20;

/** Tracks the element's width so the chart is drawn in real pixels: text stays readable on a phone. */
function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, Math.floor(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/**
 * The person's history as bars: one lane of covered / waiting / uncovered periods, and one lane
 * per enrollment (region and scheme; a transfer-in is marked). Hover a bar for its dates.
 */
export function TimelineChart({ periods, enrollments: unordered, today }: { periods: TimelinePeriod[]; enrollments: Enrollment[]; today: string }) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const enrollments = [...unordered].sort((a, b) => (a.enrolledOn < b.enrolledOn ? -1 : a.enrolledOn > b.enrolledOn ? 1 : 0));
  const starts = [...periods.map((p) => p.from), ...enrollments.map((e) => e.enrolledOn)];
  if (starts.length === 0) return <p class="empty">No enrollments or payments yet: nothing to draw.</p>;
  const ends = [...periods.map((p) => p.to), ...enrollments.map((e) => e.endedOn ?? e.enrolledOn), today];
  const earliest = [...starts].sort()[0]!;
  const first = `${earliest.slice(0, 4)}-01-01`;
  const latest = [...ends].sort().at(-1)!;
  const last = `${latest.slice(0, 4)}-12-31`;
  const lo = dayNumber(first);
  const hi = dayNumber(addDays(last, 1));
  const plot = width - LABEL_W - PAD_R;
  const x = (date: string) => LABEL_W + ((dayNumber(date) - lo) / (hi - lo)) * plot;
  const barWidth = (from: string, to: string) => Math.max(2, x(addDays(to, 1)) - x(from));

  const lanes = enrollments.length;
  const height = AXIS_H + ROW_H * (1 + lanes) + 8;
  const firstYear = Number(first.slice(0, 4));
  const lastYear = Number(last.slice(0, 4));
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const everyN = Math.ceil(years.length / Math.max(1, Math.floor(plot / 56)));
  const todayInRange = today >= first && today <= last;

  return (
    <div class="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-label="Coverage timeline">
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" class="nc-bg" />
            <line x1="0" y1="0" x2="0" y2="6" class="nc-line" />
          </pattern>
        </defs>
        {years.map((y, i) => (
          <g key={y}>
            <line x1={x(`${y}-01-01`)} x2={x(`${y}-01-01`)} y1={AXIS_H - 4} y2={height - 4} class="grid" />
            {i % everyN === 0 && (
              <text x={x(`${y}-01-01`) + 3} y={14} class="axis">
                {y}
              </text>
            )}
          </g>
        ))}
        <text x={4} y={AXIS_H + BAR_H / 2 + 5} class="lane">
          Coverage
        </text>
        {/* Anything the periods do not cover, from the first record to the end of the axis, is uncovered. */}
        <rect x={x(earliest)} y={AXIS_H} width={barWidth(earliest, latest)} height={BAR_H} rx={3} class="bar not_covered">
          <title>Not covered: no paid cover recorded</title>
        </rect>
        {periods.map((p) => (
          <rect key={`${p.from}-${p.status}`} x={x(p.from)} y={AXIS_H} width={barWidth(p.from, p.to)} height={BAR_H} rx={3} class={`bar ${p.status}`}>
            <title>{`${STATUS_LABEL[p.status]} ${p.from} → ${p.to}${p.scheme ? ` · ${p.scheme}` : ''}${p.regionCode ? ` · ${region(p.regionCode)}` : ''} · ${p.reason}`}</title>
          </rect>
        ))}
        {enrollments.map((e, i) => {
          const y = AXIS_H + ROW_H * (i + 1);
          const to = e.endedOn ?? last;
          const w = barWidth(e.enrolledOn, to);
          const label = `${e.regionCode} ${e.scheme}${e.via === 'transfer' ? ' · via transfer' : ''}`;
          return (
            <g key={e.enrollmentId}>
              {i === 0 && (
                <text x={4} y={y + BAR_H / 2 + 5} class="lane">
                  Enrolled
                </text>
              )}
              <rect
                x={x(e.enrolledOn)}
                y={y}
                width={w}
                height={BAR_H}
                rx={3}
                class={`bar enrollment${e.via === 'transfer' ? ' via-transfer' : ''}${e.endedOn ? '' : ' open'}`}
              >
                <title>{`${region(e.regionCode)} · ${e.scheme} scheme · ${e.enrolledOn} → ${e.endedOn ?? 'open'}${e.via === 'transfer' ? ' · via transfer (no waiting period)' : ''}`}</title>
              </rect>
              {w > label.length * 6.4 + 8 && (
                <text x={x(e.enrolledOn) + 6} y={y + BAR_H / 2 + 4} class="bar-label">
                  {label}
                </text>
              )}
            </g>
          );
        })}
        {todayInRange && (
          <g>
            <line x1={x(today)} x2={x(today)} y1={AXIS_H - 6} y2={height - 4} class="today" />
            <text x={x(today) - 3} y={AXIS_H - 8} class="today-label" text-anchor="end">
              today
            </text>
          </g>
        )}
      </svg>
      <div class="legend">
        <span>
          <i class="swatch covered" /> Covered
        </span>
        <span>
          <i class="swatch waiting" /> Waiting period
        </span>
        <span>
          <i class="swatch not_covered" /> Not covered
        </span>
        <span>
          <i class="swatch enrollment" /> Enrollment
        </span>
        <span>
          <i class="swatch via-transfer" /> Enrolled via transfer
        </span>
      </div>
    </div>
  );
}
