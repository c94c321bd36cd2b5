// A run's page: wires the timeline and the charts to the run's data and to each other, and
// makes the history indices in the failure report jump to their op in the timeline.

import { createCharts } from './charts.js';
import { faultLegend } from './colors.js';
import { el } from './format.js';
import { decodeOps } from './data.js';
import { createTimeline } from './timeline.js';

export function run(data) {
  if (!data) {
    const t = document.getElementById('timeline');
    if (t) t.textContent = 'view-data.js is missing: rebuild the page with `lein run index`.';
    return null;
  }
  const ops = decodeOps(data);
  const nemesis = data.nemesis || { intervals: [], events: [] };
  const timeline = createTimeline(document.getElementById('timeline'), ops, nemesis, data.marked || [],
    { concurrency: data.concurrency });
  let charts = null;
  const chartsHint = document.querySelector('#charts .hint');
  if (chartsHint) chartsHint.append(' ', faultLegend(nemesis, el));
  try {
    charts = createCharts({
      raw: document.getElementById('latency-raw'),
      quantiles: document.getElementById('latency-quantiles'),
      throughput: document.getElementById('throughput'),
    }, ops, data.perf, nemesis);
  } catch (e) {
    document.getElementById('charts').append('The charts could not be drawn: ' + e);
  }
  if (charts) {
    let following = false;
    timeline.onView((x0, x1) => {
      if (following) return;
      following = true;
      try { charts.setRange(x0 / 1e6, x1 / 1e6); } finally { following = false; }
    });
    charts.onRange((min, max) => {
      if (following) return;
      following = true;
      try { timeline.setView(min * 1e6, max * 1e6); } finally { following = false; }
    });
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a.op-link');
    if (!a) return;
    e.preventDefault();
    if (timeline.focusOp(Number(a.dataset.op))) {
      document.getElementById('timeline-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  });
  const view = { ops, timeline, charts };
  window.lkvView = view;
  return view;
}
