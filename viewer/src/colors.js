// One palette for the whole viewer: outcomes (timeline and charts), :f names (quantile chart),
// fault families.

export const KIND_NAMES = ['ok', 'fail', 'info', 'pending'];

export const KIND_COLORS = {
  ok: '#5b9fe0',
  fail: '#f0a0c8',
  info: '#f5a623',
  pending: '#bdbdbd',
};

// The charts colour ops by outcome, as Jepsen's latency and rate plots do: the timeline's hues,
// deeper, so points and thin lines show on white.
export const OUTCOME_COLORS = {
  ok: '#3d85d6',
  fail: '#e0207f',
  info: '#f09a00',
};

const F_PALETTE = ['#1f6fb4', '#8c4fc4', '#2e9e44', '#e8740c', '#8c564b', '#d6409f', '#12a5b8', '#9a9a1a'];

export function fColor(fIndex) {
  return F_PALETTE[fIndex % F_PALETTE.length];
}

// A #rrggbb colour mixed with white: 0 keeps it, 1 is white.
export function lighter(hex, amount) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16);
    return Math.round(c + (255 - c) * amount).toString(16).padStart(2, '0');
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

const FAULT_COLORS = {
  partition: [220, 60, 50],
  kill: [130, 60, 200],
  pause: [230, 150, 0],
  clock: [0, 140, 150],
  membership: [40, 110, 200],
  delay: [90, 130, 40],
};

// rgba() of a fault family's colour at the given opacity.
export function faultColor(family, alpha) {
  const [r, g, b] = FAULT_COLORS[family] || [110, 110, 110];
  return `rgba(${r},${g},${b},${alpha})`;
}

// A legend of the fault families a run had, each in its shading colour, with how often it struck.
export function faultLegend(nemesis, el) {
  const counts = {};
  for (const iv of nemesis.intervals) counts[iv.family] = (counts[iv.family] || 0) + 1;
  const families = Object.keys(counts).sort();
  if (!families.length) return el('span', { class: 'fault-legend' }, 'no faults');
  return el('span', { class: 'fault-legend' }, 'faults: ',
    ...families.map((f) => el('span', { class: 'fault-chip', style: `background:${faultColor(f, 0.75)}` },
      `${f} ×${counts[f]}`)));
}
