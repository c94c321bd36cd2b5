// The perf charts, drawn with uPlot: raw latency (a point per completed op, log scale),
// latency quantiles and throughput per time bucket (computed by the harness, see
// leasekv.harness.web.series/perf-series). Faults are shaded by a small uPlot plugin. The x
// axis is seconds since the test started; the charts zoom together and with the timeline.
//
// As in Jepsen's latency and rate plots, colour is the outcome (ok, fail, info) and the :f is
// told by point shape (raw latency) or dash (throughput). The quantile chart merges outcomes:
// colour is the :f, and its p50, p95, p99 and max lines differ in shade and dash. Each legend
// label starts with a sample drawn like its series (legend.js).

import uPlot from 'uplot';
import { fColor, faultColor, KIND_NAMES, lighter, OUTCOME_COLORS } from './colors.js';
import { glyphLabel, lineLabel } from './legend.js';
import { shapeGlyph, shapePoints } from './shapes.js';

const HEIGHT = 260;
// How a quantile's line differs from the others of its :f: dash, width, and how much lighter
// than the :f's colour it is drawn.
const QUANTILE_STYLE = {
  0.5: { dash: [], width: 2, lighter: 0 },
  0.95: { dash: [6, 4], width: 1.5, lighter: 0.3 },
  0.99: { dash: [2, 3], width: 1.5, lighter: 0.45 },
  1: { dash: [10, 3, 2, 3], width: 1.25, lighter: 0.6 },
};
// The throughput lines' dash, by the :f's index.
const F_DASH = [[], [7, 4], [2, 3], [10, 3, 2, 3]];

// Shades every fault interval behind the series, like the timeline does.
function faultPlugin(nemesis) {
  return {
    hooks: {
      drawClear: (u) => {
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        for (const iv of nemesis.intervals) {
          const a = u.valToPos(iv.start / 1e6, 'x', true);
          const b = u.valToPos(iv.end / 1e6, 'x', true);
          ctx.fillStyle = faultColor(iv.family, 0.08);
          ctx.fillRect(a, top, Math.max(1, b - a), height);
          const on = u.valToPos(iv.on / 1e6, 'x', true);
          const off = u.valToPos(iv.off / 1e6, 'x', true);
          if (off > on) {
            ctx.fillStyle = faultColor(iv.family, 0.12);
            ctx.fillRect(on, top, off - on, height);
          }
        }
        ctx.restore();
      },
    },
  };
}

// :f name -> colour index: its place among the run's :f names (sorted by the harness), so an :f
// has the same colour in every chart, and in every run with the same :f names.
function fIndexOf(fs, series) {
  const index = {};
  fs.forEach((f, i) => { index[f] = i; });
  for (const s of series) if (!(s.f in index)) index[s.f] = Object.keys(index).length;
  return index;
}

function xAxis() {
  return { label: 'seconds since the test started', labelSize: 18, size: 40 };
}

function baseOptions(title, width, nemesis, group, hooks) {
  return {
    hooks: { setScale: hooks.setScale.slice() },
    title,
    width,
    height: HEIGHT,
    scales: { x: { time: false } },
    cursor: { sync: { key: group, setSeries: false }, drag: { x: true, y: false } },
    legend: { live: false, markers: { show: false } },
    plugins: [faultPlugin(nemesis)],
  };
}

// Series per (:f, outcome) of completed ops: x the invocation time, y the latency in ms.
function rawLatencyData(ops) {
  const idx = [];
  for (let i = 0; i < ops.n; i++) if (ops.end[i] >= 0) idx.push(i);
  const xs = idx.map((i) => ops.start[i] / 1e6);
  const groups = [];
  for (let f = 0; f < ops.fs.length; f++) {
    for (let k = 0; k < 3; k++) {
      const ys = new Array(idx.length).fill(null);
      let any = false;
      idx.forEach((i, j) => {
        if (ops.f[i] === f && ops.kind[i] === k) {
          ys[j] = Math.max(0.001, (ops.end[i] - ops.start[i]) / 1000);
          any = true;
        }
      });
      if (any) groups.push({ f, kind: KIND_NAMES[k], ys });
    }
  }
  return { xs, groups };
}

// Filled: ok; hollow: fail; outlined: info (the colour says it too, the fill helps in grey).
function pointStyle(color, kind, fIndex) {
  const paths = shapePoints(fIndex);
  if (kind === 'ok') return { show: true, size: 5, width: 0, fill: color, stroke: color, paths };
  if (kind === 'fail') return { show: true, size: 6, width: 1.25, fill: 'rgba(255,255,255,0.6)', stroke: color, paths };
  return { show: true, size: 7, width: 1.25, fill: color, stroke: '#222', paths };
}

function latencyRaw(el, ops, nemesis, width, group, hooks) {
  const { xs, groups } = rawLatencyData(ops);
  const opts = baseOptions('Latency of every op (log scale; colour: outcome; shape: :f)', width, nemesis, group, hooks);
  opts.scales.y = { distr: 3 };
  opts.axes = [xAxis(), { label: 'latency (ms)', labelSize: 18, size: 60 }];
  opts.series = [{ label: 't (s)' }].concat(groups.map((g) => ({
    label: glyphLabel(`${ops.fs[g.f]} ${g.kind}`, shapeGlyph(g.f), OUTCOME_COLORS[g.kind]),
    stroke: OUTCOME_COLORS[g.kind],
    fill: OUTCOME_COLORS[g.kind],
    paths: () => null,
    points: pointStyle(OUTCOME_COLORS[g.kind], g.kind, g.f),
  })));
  return new uPlot(opts, [xs].concat(groups.map((g) => g.ys)), el);
}

function quantileLabel(q) {
  return q === 1 ? 'max' : 'p' + Math.round(q * 1000) / 10;
}

function latencyQuantiles(el, perf, nemesis, width, group, hooks) {
  const opts = baseOptions(`Latency quantiles per ${perf.bucketS} s (by invocation time; colour: :f; `
    + 'p50 solid, p95 dashed, p99 dotted, max dash-dot, each lighter)', width, nemesis, group, hooks);
  opts.scales.y = { distr: 3 };
  opts.axes = [xAxis(), { label: 'latency (ms)', labelSize: 18, size: 60 }];
  const fIndex = fIndexOf(perf.fs, perf.latency);
  opts.series = [{ label: 't (s)' }].concat(perf.latency.map((s) => {
    const style = QUANTILE_STYLE[s.q] || QUANTILE_STYLE[0.5];
    const color = lighter(fColor(fIndex[s.f]), style.lighter);
    return {
      label: lineLabel(`${s.f} ${quantileLabel(s.q)}`, color, style.dash, style.width),
      stroke: color,
      dash: style.dash,
      width: style.width,
      spanGaps: false,
      points: { show: false },
    };
  }));
  return new uPlot(opts, [perf.x].concat(perf.latency.map((s) => s.y)), el);
}

function throughput(el, perf, nemesis, width, group, hooks) {
  const opts = baseOptions(`Throughput (completions per second, ${perf.bucketS} s buckets; colour: outcome; dash: :f)`,
    width, nemesis, group, hooks);
  opts.axes = [xAxis(), { label: 'ops/s', labelSize: 18, size: 60 }];
  const fIndex = fIndexOf(perf.fs, perf.throughput);
  opts.series = [{ label: 't (s)' }].concat(perf.throughput.map((s) => {
    const color = OUTCOME_COLORS[s.type] || '#888';
    const dash = F_DASH[fIndex[s.f] % F_DASH.length];
    const lineWidth = s.type === 'ok' ? 2 : 1.5;
    return {
      label: lineLabel(`${s.f} ${s.type}`, color, dash, lineWidth),
      stroke: color,
      dash,
      width: lineWidth,
      paths: uPlot.paths.stepped({ align: 1 }),
      points: { show: false },
    };
  }));
  return new uPlot(opts, [perf.x].concat(perf.throughput.map((s) => s.y)), el);
}

// Draws the three charts into their containers. Returns {charts, setRange(x0s, x1s), onRange(cb)}.
export function createCharts(containers, ops, perf, nemesis) {
  const group = 'lkv-' + Math.random().toString(36).slice(2);
  const width = Math.max(320, containers.raw.clientWidth || 900);
  const listeners = [];
  const charts = [];
  let syncing = false;
  const fullX = [0, Math.max(ops.endUs / 1e6, perf.x.length ? perf.x[perf.x.length - 1] + perf.bucketS / 2 : 1)];

  function setRange(min, max, except) {
    syncing = true;
    try {
      for (const c of charts) if (c !== except) c.setScale('x', { min, max });
    } finally {
      syncing = false;
    }
  }
  // A zoom in one chart (drag, double-click) moves the others and the timeline.
  const hooks = {
    setScale: [(u, key) => {
      if (key !== 'x' || syncing || !charts.includes(u)) return;
      const { min, max } = u.scales.x;
      setRange(min, max, u);
      for (const cb of listeners) cb(min, max);
    }],
  };
  charts.push(latencyRaw(containers.raw, ops, nemesis, width, group, hooks));
  const perfWithFs = Object.assign({ fs: ops.fs }, perf);
  charts.push(latencyQuantiles(containers.quantiles, perfWithFs, nemesis, width, group, hooks));
  charts.push(throughput(containers.throughput, perfWithFs, nemesis, width, group, hooks));
  setRange(fullX[0], fullX[1], null);

  window.addEventListener('resize', () => {
    const w = Math.max(320, containers.raw.clientWidth || 900);
    for (const c of charts) c.setSize({ width: w, height: HEIGHT });
  });
  return {
    charts,
    setRange: (min, max) => setRange(min, max, null),
    onRange: (cb) => listeners.push(cb),
  };
}
