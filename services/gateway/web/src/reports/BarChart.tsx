import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";

export interface BarDatum {
  label: string;
  /** A decimal string from the API. */
  value: string;
  /** The value as the table shows it (money, units). */
  shown: string;
}

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 16, bottom: 40, left: 80 };

/**
 * A bar chart (visx: scales and SVG shapes, no canvas): one bar per datum, with its value
 * written above it (`counts`: whole numbers on the axis). Only the bars' lengths come from `Number(value)`; every figure a person reads
 * is the API's decimal string. The SVG is one image with a text alternative listing every bar,
 * and the table beside each chart holds the same figures.
 */
export function BarChart({ title, data, testId, counts = false }: { title: string; data: BarDatum[]; testId: string; counts?: boolean }) {
  const values = data.map((d) => Number(d.value));
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleBand<string>({ domain: data.map((d) => d.label), range: [0, innerWidth], padding: 0.3 });
  const y = scaleLinear<number>({ domain: [low, high === low ? low + 1 : high], range: [innerHeight, 0], nice: true });
  const zero = y(0);
  const description = `${title}: ${data.map((d) => `${d.label} ${d.shown}`).join("; ")}`;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description} width="100%" style={{ maxWidth: WIDTH }}>
        <Group left={MARGIN.left} top={MARGIN.top}>
          {data.map((d, n) => {
            const value = values[n] ?? 0;
            const top = y(Math.max(0, value));
            const height = Math.abs(y(value) - zero);
            const left = x(d.label) ?? 0;
            return (
              <g key={d.label} data-testid="chart-bar" data-label={d.label}>
                <Bar x={left} y={top} width={x.bandwidth()} height={height} className={value < 0 ? "bar bar-negative" : "bar"} />
                <text x={left + x.bandwidth() / 2} y={value < 0 ? top + height + 14 : top - 4} textAnchor="middle" className="bar-value">
                  {d.shown}
                </text>
              </g>
            );
          })}
          <AxisLeft scale={y} numTicks={5} tickValues={counts ? y.ticks(5).filter(Number.isInteger) : undefined} tickFormat={(v) => String(Number(v))} tickLabelProps={{ className: "axis-label", textAnchor: "end", dx: -4, dy: 4 }} />
          <AxisBottom top={innerHeight} scale={x} tickLabelProps={{ className: "axis-label", textAnchor: "middle" }} />
        </Group>
      </svg>
    </figure>
  );
}
