// The timeline: one lane per process (or per client thread), each op a bar from its invocation
// to its completion coloured by outcome, faults shaded. Drawn on one canvas from the decoded
// columns, so 100,000+ ops stay interactive: only the ops inside the view are visited (the ops
// are sorted by start, and no op is longer than ops.maxDur), and each frame is a few passes of
// fillRect. Wheel zooms around the pointer, drag pans, double-click resets.

import { KIND_NAMES, KIND_COLORS, faultColor, faultLegend } from './colors.js';
import { lowerBound, str } from './data.js';
import { el, millis, seconds, tickLabel, tickStep } from './format.js';

const AXIS_H = 22;
const FAULT_H = 22;
const GUTTER_W = 64;
const MAX_LANES_H = 560;
const MIN_LANE_H = 4;
const MAX_LANE_H = 18;
const MIN_SPAN_US = 20;

function laneLayout(ops, mode, concurrency) {
  const laneOf = new Int32Array(ops.n);
  let labels;
  if (mode === 'thread') {
    for (let i = 0; i < ops.n; i++) laneOf[i] = ops.processes[ops.lane[i]] % concurrency;
    labels = Array.from({ length: concurrency }, (_, t) => 'thread ' + t);
  } else {
    for (let i = 0; i < ops.n; i++) laneOf[i] = ops.lane[i];
    labels = ops.processes.map((p) => String(p));
  }
  const perLane = labels.map(() => []);
  for (let i = 0; i < ops.n; i++) perLane[laneOf[i]].push(i);
  return { laneOf, labels, perLane: perLane.map((a) => Int32Array.from(a)) };
}

export function createTimeline(container, ops, nemesis, marked, options) {
  const concurrency = options.concurrency || 0;
  const fullSpan = Math.max(ops.endUs * 1.02, 1000);
  const markedRows = new Set(marked.map((m) => m.row));
  const state = { x0: 0, x1: fullSpan, top: 0, laneH: MAX_LANE_H, mode: 'process', focus: -1, drawn: 0 };
  const listeners = [];
  let layout = laneLayout(ops, 'process', concurrency);

  const status = el('span', { class: 'tl-status' });
  const modeSelect = el('select', { title: 'What a lane is' },
    el('option', { value: 'process' }, 'lane per process'),
    concurrency ? el('option', { value: 'thread' }, `lane per thread (${concurrency})`) : null);
  const canvas = el('canvas', { class: 'tl-canvas', tabindex: '0' });
  const tip = el('div', { class: 'tl-tip', hidden: '' });
  const controls = el('div', { class: 'tl-controls' },
    el('button', { type: 'button', title: 'Zoom in', onclick: () => zoomBy(0.5) }, '+'),
    el('button', { type: 'button', title: 'Zoom out', onclick: () => zoomBy(2) }, '−'),
    el('button', { type: 'button', title: 'Show the whole run', onclick: () => reset() }, 'whole run'),
    modeSelect, faultLegend(nemesis, el), status);
  const wrap = el('div', { class: 'tl-wrap' }, canvas, tip);
  container.append(controls, wrap);

  const ctx = canvas.getContext('2d');
  let width = 0;
  let height = 0;

  function lanesH() { return height - AXIS_H - FAULT_H; }
  function plotW() { return width - GUTTER_W; }
  function visibleLanes() { return lanesH() / state.laneH; }
  function xToPx(t) { return GUTTER_W + ((t - state.x0) / (state.x1 - state.x0)) * plotW(); }
  function pxToX(px) { return state.x0 + ((px - GUTTER_W) / plotW()) * (state.x1 - state.x0); }
  function laneTop(lane) { return AXIS_H + FAULT_H + (lane - state.top) * state.laneH; }

  function resize() {
    const lanes = layout.labels.length;
    state.laneH = Math.max(MIN_LANE_H, Math.min(MAX_LANE_H, Math.floor(MAX_LANES_H / Math.max(1, lanes))));
    width = Math.max(320, wrap.clientWidth || 900);
    height = AXIS_H + FAULT_H + Math.min(lanes * state.laneH, MAX_LANES_H) + 1;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    clampTop();
    draw();
  }

  function clampTop() {
    const maxTop = Math.max(0, layout.labels.length - visibleLanes());
    state.top = Math.max(0, Math.min(maxTop, state.top));
  }

  function drawFaults() {
    const top = AXIS_H;
    for (const iv of nemesis.intervals) {
      const a = Math.max(GUTTER_W, xToPx(iv.start));
      const b = Math.min(width, xToPx(iv.end));
      if (b < GUTTER_W || a > width) continue;
      ctx.fillStyle = faultColor(iv.family, 0.07);
      ctx.fillRect(a, top, Math.max(1, b - a), height - top);
      const on = Math.max(GUTTER_W, xToPx(iv.on));
      const off = Math.min(width, xToPx(iv.off));
      if (off > on) {
        ctx.fillStyle = faultColor(iv.family, 0.1);
        ctx.fillRect(on, top + FAULT_H, off - on, height - top - FAULT_H);
        ctx.fillStyle = faultColor(iv.family, 0.75);
        ctx.fillRect(on, top + 3, off - on, FAULT_H - 6);
      }
      ctx.fillStyle = faultColor(iv.family, 0.35);
      ctx.fillRect(a, top + 3, Math.max(1, b - a), FAULT_H - 6);
      const textX = Math.max(a, GUTTER_W) + 3;
      if (b - textX > 30) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(textX, top, b - textX - 2, FAULT_H);
        ctx.clip();
        ctx.fillStyle = '#fff';
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(iv.label, textX, top + FAULT_H - 7);
        ctx.restore();
      }
    }
    ctx.strokeStyle = 'rgba(60,60,60,0.55)';
    ctx.setLineDash([3, 3]);
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    for (const ev of nemesis.events) {
      const x = xToPx(ev.time);
      if (x < GUTTER_W || x > width) continue;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, AXIS_H);
      ctx.lineTo(x + 0.5, height);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  function visibleRange() {
    const from = lowerBound(ops.start, state.x0 - ops.maxDur - 1);
    const to = lowerBound(ops.start, state.x1 + 1);
    return [from, to];
  }

  function opBox(i) {
    const lane = layout.laneOf[i];
    const y = laneTop(lane);
    const x = xToPx(ops.start[i]);
    const e = ops.end[i] >= 0 ? ops.end[i] : ops.endUs;
    const w = Math.max(1, xToPx(e) - x);
    const gap = state.laneH >= 8 ? 1 : 0;
    return { x, y: y + gap, w, h: Math.max(1, state.laneH - 2 * gap) };
  }

  function drawOps() {
    const [from, to] = visibleRange();
    const firstLane = Math.floor(state.top);
    const lastLane = Math.ceil(state.top + visibleLanes());
    let drawn = 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER_W, AXIS_H + FAULT_H, plotW(), lanesH());
    ctx.clip();
    for (let k = 0; k < KIND_NAMES.length; k++) {
      ctx.fillStyle = KIND_COLORS[KIND_NAMES[k]];
      const draw1 = (i) => {
        if (ops.kind[i] !== k) return;
        const lane = layout.laneOf[i];
        if (lane < firstLane || lane > lastLane) return;
        const e = ops.end[i] >= 0 ? ops.end[i] : ops.endUs;
        if (e < state.x0 || ops.start[i] > state.x1) return;
        const b = opBox(i);
        ctx.fillRect(b.x, b.y, b.w, b.h);
        drawn++;
      };
      for (let i = from; i < to; i++) if (ops.end[i] >= 0) draw1(i);
      for (const i of ops.pending) draw1(i);
    }
    if (state.laneH >= 12) drawLabels(from, to, firstLane, lastLane);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#d01010';
    for (const m of marked) {
      const b = opBox(m.row);
      if (b.x + b.w < GUTTER_W || b.x > width) continue;
      ctx.strokeRect(b.x - 1, b.y - 1, b.w + 2, b.h + 2);
    }
    if (state.focus >= 0) {
      const b = opBox(state.focus);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#111';
      ctx.strokeRect(b.x - 2, b.y - 2, b.w + 4, b.h + 4);
    }
    ctx.restore();
    state.drawn = drawn;
  }

  function opLabel(i) {
    const v = str(ops, ops.value[i]);
    const r = str(ops, ops.result[i]);
    return ops.fs[ops.f[i]] + ' ' + (v || '') + (r ? ' → ' + r : '');
  }

  function drawLabels(from, to, firstLane, lastLane) {
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillStyle = '#102030';
    for (let i = from; i < to; i++) {
      const lane = layout.laneOf[i];
      if (lane < firstLane || lane > lastLane) continue;
      const b = opBox(i);
      if (b.w < 36 || b.x + b.w < GUTTER_W || b.x > width) continue;
      const x = Math.max(b.x, GUTTER_W) + 2;
      const room = b.x + b.w - x - 2;
      if (room < 24) continue;
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, b.y, room, b.h);
      ctx.clip();
      ctx.fillText(opLabel(i), x, b.y + b.h - 3);
      ctx.restore();
    }
  }

  function drawAxisAndGutter() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, AXIS_H);
    ctx.fillRect(0, 0, GUTTER_W, height);
    const spanS = (state.x1 - state.x0) / 1e6;
    const step = tickStep(spanS, Math.max(2, Math.floor(plotW() / 110)));
    const first = Math.ceil(state.x0 / 1e6 / step) * step;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (let s = first; s <= state.x1 / 1e6; s += step) {
      const x = xToPx(s * 1e6);
      ctx.fillStyle = '#e6e6e6';
      ctx.fillRect(x, AXIS_H, 1, height - AXIS_H);
      ctx.fillStyle = '#444';
      ctx.fillRect(x, AXIS_H - 5, 1, 5);
      ctx.fillText(tickLabel(s, step), x, AXIS_H - 8);
    }
    ctx.textAlign = 'right';
    ctx.fillStyle = '#555';
    ctx.fillText('faults', GUTTER_W - 6, AXIS_H + FAULT_H - 7);
    const every = Math.max(1, Math.ceil(11 / state.laneH));
    ctx.font = (state.laneH >= 11 ? 11 : 9) + 'px system-ui, sans-serif';
    const firstLane = Math.floor(state.top);
    for (let l = firstLane; l < layout.labels.length && laneTop(l) < height; l++) {
      if (l % every !== 0) continue;
      const y = laneTop(l) + Math.min(state.laneH, 11) - 1;
      if (y < AXIS_H + FAULT_H + 8) continue;
      ctx.fillText(layout.labels[l], GUTTER_W - 6, y);
    }
    ctx.textAlign = 'left';
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(GUTTER_W + 0.5, AXIS_H + 0.5, plotW() - 1, height - AXIS_H - 1);
  }

  function draw() {
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#fbfbfb';
    ctx.fillRect(GUTTER_W, AXIS_H, plotW(), height - AXIS_H);
    drawFaults();
    drawOps();
    drawAxisAndGutter();
    status.textContent = `${seconds(state.x0)} – ${seconds(state.x1)} · ${state.drawn.toLocaleString()} of ${ops.n.toLocaleString()} ops in view`;
  }

  let frame = 0;
  function redraw() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); });
  }

  function setView(x0, x1, silent) {
    let span = Math.max(MIN_SPAN_US, Math.min(fullSpan * 1.5, x1 - x0));
    let a = x0;
    if (a < -fullSpan * 0.25) a = -fullSpan * 0.25;
    if (a + span > fullSpan * 1.25) a = fullSpan * 1.25 - span;
    state.x0 = a;
    state.x1 = a + span;
    redraw();
    if (!silent) for (const cb of listeners) cb(state.x0, state.x1);
  }

  function zoomBy(factor, centerUs) {
    const c = centerUs == null ? (state.x0 + state.x1) / 2 : centerUs;
    setView(c - (c - state.x0) * factor, c + (state.x1 - c) * factor);
  }

  function reset() {
    state.top = 0;
    setView(0, fullSpan);
  }

  function opAt(px, py) {
    if (px < GUTTER_W || py < AXIS_H + FAULT_H) return -1;
    const lane = Math.floor((py - AXIS_H - FAULT_H) / state.laneH + state.top);
    const list = layout.perLane[lane];
    if (!list || !list.length) return -1;
    const t = pxToX(px);
    const slack = (3 / plotW()) * (state.x1 - state.x0);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ops.start[list[mid]] <= t + slack) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo - 1; j >= 0 && j >= lo - 3; j--) {
      const i = list[j];
      const e = ops.end[i] >= 0 ? ops.end[i] : ops.endUs;
      if (t - slack <= e) return i;
    }
    return -1;
  }

  function faultAt(px, py) {
    if (py < AXIS_H || py > AXIS_H + FAULT_H) return null;
    const t = pxToX(px);
    return nemesis.intervals.find((iv) => iv.start <= t && t <= iv.end) || null;
  }

  function opDetails(i) {
    const kind = KIND_NAMES[ops.kind[i]];
    const lines = [
      `<b>process ${ops.processes[ops.lane[i]]}</b> · ${ops.fs[ops.f[i]]} · <span class="k-${kind}">${kind === 'pending' ? 'never completed' : kind}</span>`,
      `value ${escapeHtml(str(ops, ops.value[i]) || '')}${ops.result[i] >= 0 ? ' → ' + escapeHtml(str(ops, ops.result[i])) : ''}`,
      `invoked at ${seconds(ops.start[i])}` + (ops.end[i] >= 0 ? `, took ${millis(ops.end[i] - ops.start[i])}` : ''),
    ];
    if (ops.node[i] >= 0) lines.push('node ' + escapeHtml(str(ops, ops.node[i])));
    if (ops.served[i] >= 0) lines.push(escapeHtml(str(ops, ops.served[i])));
    if (ops.error[i] >= 0) lines.push('<span class="err">' + escapeHtml(str(ops, ops.error[i])) + '</span>');
    const done = ops.completion[i] >= 0 ? ` → ${ops.index[i] + ops.completion[i]}` : '';
    lines.push(`history index ${ops.index[i]}${done}` + (markedRows.has(i) ? ' · <b class="err">named in the failure report</b>' : ''));
    return lines.join('<br>');
  }

  function showTip(html, px, py) {
    tip.innerHTML = html;
    tip.hidden = false;
    const left = Math.min(px + 14, width - tip.offsetWidth - 4);
    tip.style.left = Math.max(0, left) + 'px';
    tip.style.top = (py + 16) + 'px';
  }

  let drag = null;
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    if (e.shiftKey || px < GUTTER_W) {
      state.top += e.deltaY / 40;
      clampTop();
      redraw();
    } else {
      zoomBy(Math.exp(e.deltaY * 0.0015), pxToX(px));
    }
  }, { passive: false });
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, y: e.clientY, x0: state.x0, x1: state.x1, top: state.top };
    tip.hidden = true;
  });
  window.addEventListener('mouseup', () => { drag = null; });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dt = ((e.clientX - drag.x) / plotW()) * (drag.x1 - drag.x0);
    state.top = drag.top - (e.clientY - drag.y) / state.laneH;
    clampTop();
    setView(drag.x0 - dt, drag.x1 - dt);
  });
  canvas.addEventListener('mousemove', (e) => {
    if (drag) return;
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    const i = opAt(px, py);
    const iv = i < 0 ? faultAt(px, py) : null;
    if (i >= 0) showTip(opDetails(i), px, py);
    else if (iv) showTip(`<b>${escapeHtml(iv.label)}</b><br>${seconds(iv.start)} – ${seconds(iv.end)}${iv.open ? ' (never stopped; ended by the final heal)' : ''}`, px, py);
    else tip.hidden = true;
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
  canvas.addEventListener('dblclick', () => reset());
  canvas.addEventListener('keydown', (e) => {
    if (e.key === '+' || e.key === '=') zoomBy(0.5);
    else if (e.key === '-') zoomBy(2);
    else if (e.key === 'ArrowLeft') setView(state.x0 - (state.x1 - state.x0) * 0.2, state.x1 - (state.x1 - state.x0) * 0.2);
    else if (e.key === 'ArrowRight') setView(state.x0 + (state.x1 - state.x0) * 0.2, state.x1 + (state.x1 - state.x0) * 0.2);
    else return;
    e.preventDefault();
  });
  modeSelect.addEventListener('change', () => {
    state.mode = modeSelect.value;
    layout = laneLayout(ops, state.mode, concurrency);
    state.top = 0;
    resize();
  });
  window.addEventListener('resize', () => resize());

  function focusOp(historyIndex) {
    const m = marked.find((x) => x.index === historyIndex);
    const row = m ? m.row : lowerBound(ops.index, historyIndex);
    if (row < 0 || row >= ops.n) return false;
    state.focus = row;
    const e = ops.end[row] >= 0 ? ops.end[row] : ops.endUs;
    const pad = Math.max(200000, (e - ops.start[row]) * 4);
    const lane = layout.laneOf[row];
    if (lane < state.top || lane > state.top + visibleLanes() - 1) state.top = lane - visibleLanes() / 2;
    clampTop();
    setView(ops.start[row] - pad, e + pad);
    return true;
  }

  resize();
  return {
    state,
    opBox,
    setView,
    focusOp,
    reset,
    redraw,
    canvas,
    onView(cb) { listeners.push(cb); },
  };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
