// Small text helpers shared by the timeline and the charts.

export function seconds(us) {
  return (us / 1e6).toFixed(3) + ' s';
}

export function millis(us) {
  const ms = us / 1000;
  return (ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0)) + ' ms';
}

// A round tick step (in the axis unit) that gives about `target` ticks over `span`.
export function tickStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

export function tickLabel(valueS, stepS) {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(stepS) + 1e-9)));
  return valueS.toFixed(decimals) + ' s';
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c != null) e.append(c);
  }
  return e;
}
