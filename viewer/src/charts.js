// The perf charts, drawn with uPlot: raw latency (a point per completed op, log scale),
// latency quantiles and throughput per time bucket (computed by the harness, see
// leasekv.harness.web.series/perf-series). Faults are shaded by a small uPlot plugin. The x
// axis is seconds since the test started; the charts zoom together and with the timeline.

import uPlot from 'uplot';
import { fColor, faultColor, KIND_NAMES } from './colors.js';

const HEIGHT = 260;
const QUANTILE_DASH = { 0.5: [], 0.95: [6, 4], 0.99: [2, 3], 1: [10, 3, 2, 3] };
const TYPE_DASH = { ok: [], fail: [6, 4], info: [2, 3] };

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
    legend: { live: false },
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

function pointStyle(color, kind) {
  if (kind === 'ok') return { show: true, size: 4, width: 0, fill: color, stroke: color };
  if (kind === 'fail') return { show: true, size: 5, width: 1, fill: 'rgba(255,255,255,0.6)', stroke: color };
  return { show: true, size: 6, width: 1.5, fill: color, stroke: '#222' };
}

function latencyRaw(el, ops, nemesis, width, group, hooks) {
  const { xs, groups } = rawLatencyData(ops);
  const opts = baseOptions('Latency of every op (log scale; filled: ok, hollow: fail, outlined: info)', width, nemesis, group, hooks);
  opts.scales.y = { distr: 3 };
  opts.axes = [xAxis(), { label: 'latency (ms)', labelSize: 18, size: 60 }];
  opts.series = [{ label: 't (s)' }].concat(groups.map((g) => ({
    label: `${ops.fs[g.f]} ${g.kind}`,
    stroke: fColor(g.f),
    paths: () => null,
    points: pointStyle(fColor(g.f), g.kind),
  })));
  return new uPlot(opts, [xs].concat(groups.map((g) => g.ys)), el);
}

function latencyQuantiles(el, perf, nemesis, width, group, hooks) {
  const opts = baseOptions(`Latency quantiles per ${perf.bucketS} s (by invocation time)`, width, nemesis, group, hooks);
  opts.scales.y = { distr: 3 };
  opts.axes = [xAxis(), { label: 'latency (ms)', labelSize: 18, size: 60 }];
  const fIndex = fIndexOf(perf.fs, perf.latency);
  opts.series = [{ label: 't (s)' }].concat(perf.latency.map((s) => ({
    label: `${s.f} ${s.q === 1 ? 'max' : 'p' + Math.round(s.q * 1000) / 10}`,
    stroke: fColor(fIndex[s.f]),
    dash: QUANTILE_DASH[s.q] || [],
    width: s.q === 0.5 ? 2 : 1.25,
    spanGaps: false,
    points: { show: false },
  })));
  return new uPlot(opts, [perf.x].concat(perf.latency.map((s) => s.y)), el);
}

function throughput(el, perf, nemesis, width, group, hooks) {
  const opts = baseOptions(`Throughput (completions per second, ${perf.bucketS} s buckets)`, width, nemesis, group, hooks);
  opts.axes = [xAxis(), { label: 'ops/s', labelSize: 18, size: 60 }];
  const fIndex = fIndexOf(perf.fs, perf.throughput);
  opts.series = [{ label: 't (s)' }].concat(perf.throughput.map((s) => ({
    label: `${s.f} ${s.type}`,
    stroke: fColor(fIndex[s.f]),
    dash: TYPE_DASH[s.type] || [],
    width: s.type === 'ok' ? 2 : 1.25,
    paths: uPlot.paths.stepped({ align: 1 }),
    points: { show: false },
  })));
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
