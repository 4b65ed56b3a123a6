/**
 * docs/benchmarks.svg for the README, drawn by vega-lite (spec) and vega (headless SVG renderer,
 * no canvas or browser needed): 1 KiB throughput at concurrency 16 per variant (connector vs.
 * direct client), and connector RSS against each container limit.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { findCell, type RunResults } from './results.js';
import { VARIANTS } from './variants.js';

const VARIANT_ORDER = VARIANTS.map((v) => v.name);

const MODE_LABELS = {
  direct: 'direct client',
  connector: 'connector, keep-alive',
  'connector-newconn': 'connector, new conn/op',
} as const;

function throughputData(results: RunResults) {
  return results.variants.flatMap((run) =>
    (['GET', 'PUT'] as const).flatMap((op) =>
      (['direct', 'connector', 'connector-newconn'] as const).flatMap((mode) => {
        const cell = findCell(run.cells, '1KiB', op, 16, mode);
        return cell
          ? [{ variant: run.variant, op, mode: MODE_LABELS[mode], opsPerSec: Math.round(cell.opsPerSec) }]
          : [];
      }),
    ),
  );
}

function memoryData(results: RunResults) {
  const rows = results.variants.flatMap((run) => [
    { variant: run.variant, measure: 'idle', MiB: run.memory.idleMiB, limit: run.memory.limitMiB },
    {
      variant: run.variant,
      measure: 'peak, 1 KiB load',
      MiB: run.memory.smallLoadPeakMiB,
      limit: run.memory.limitMiB,
    },
    {
      variant: run.variant,
      measure: 'peak, whole run',
      MiB: run.memory.runPeakMiB,
      limit: run.memory.limitMiB,
    },
  ]);
  if (results.stream) {
    rows.push({
      variant: 's3-passthrough',
      measure: 'peak, 1 GiB stream',
      MiB: results.stream.rssPeakMiB,
      limit: results.stream.limitMiB,
    });
  }
  return rows.map((row) => ({ ...row, MiB: Number(row.MiB.toFixed(1)) }));
}

export function chartSpec(results: RunResults): TopLevelSpec {
  const { machine } = results;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'State-proxy connectors vs. direct backend clients',
      subtitle: `${results.date.slice(0, 10)}, ${machine.cpus} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, local redis-server and ${machine.s3Server}`,
    },
    background: 'white',
    config: { font: 'sans-serif' },
    vconcat: [
      {
        title: '1 KiB objects, concurrency 16: operations per second (higher is better)',
        data: { values: throughputData(results) },
        facet: { column: { field: 'variant', type: 'nominal', title: null, sort: VARIANT_ORDER } },
        spec: {
          width: 150,
          height: 180,
          mark: 'bar',
          encoding: {
            x: { field: 'op', type: 'nominal', title: null, axis: { labelAngle: 0 } },
            xOffset: { field: 'mode', type: 'nominal', sort: Object.values(MODE_LABELS) },
            y: { field: 'opsPerSec', type: 'quantitative', title: 'ops/s' },
            color: {
              field: 'mode',
              type: 'nominal',
              title: null,
              sort: Object.values(MODE_LABELS),
              legend: { orient: 'bottom', labelLimit: 300 },
            },
            tooltip: [{ field: 'opsPerSec', type: 'quantitative' }],
          },
        },
        // Redis and S3 differ by orders of magnitude: each variant gets its own scale.
        resolve: { scale: { y: 'independent' } },
      },
      {
        title: 'Connector RSS (MiB, lower is better); black tick: container limit',
        data: { values: memoryData(results) },
        width: 660,
        height: 160,
        layer: [
          {
            mark: 'bar',
            encoding: {
              x: {
                field: 'variant',
                type: 'nominal',
                title: null,
                axis: { labelAngle: 0 },
                sort: VARIANT_ORDER,
              },
              xOffset: { field: 'measure', type: 'nominal', sort: null },
              y: { field: 'MiB', type: 'quantitative', title: 'MiB' },
              color: {
                field: 'measure',
                type: 'nominal',
                title: null,
                sort: null,
                scale: { scheme: 'set2' }, // not the palette above: other meanings
              },
            },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 2, size: 130 },
            encoding: {
              x: { field: 'variant', type: 'nominal', sort: VARIANT_ORDER },
              y: { field: 'limit', type: 'quantitative' },
            },
          },
        ],
        resolve: { scale: { color: 'independent' } },
      },
    ],
  };
}

export async function renderChart(results: RunResults): Promise<string> {
  const view = new View(parse(compile(chartSpec(results)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
