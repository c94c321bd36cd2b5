// Point shapes for the raw latency chart, one per :f (colour is the outcome there, as in Jepsen's
// plots, where each :f gets its own point type). Each shape has the glyph the chart's legend shows.

const SHAPES = [
  { glyph: '●', draw: (p, x, y, r) => { p.moveTo(x + r, y); p.arc(x, y, r, 0, Math.PI * 2); } },
  { glyph: '■', draw: (p, x, y, r) => { p.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); } },
  { glyph: '▲', draw: (p, x, y, r) => polygon(p, [[x, y - r * 1.1], [x + r, y + r * 0.7], [x - r, y + r * 0.7]]) },
  { glyph: '◆', draw: (p, x, y, r) => polygon(p, [[x, y - r * 1.2], [x + r, y], [x, y + r * 1.2], [x - r, y]]) },
  { glyph: '▼', draw: (p, x, y, r) => polygon(p, [[x, y + r * 1.1], [x + r, y - r * 0.7], [x - r, y - r * 0.7]]) },
  {
    glyph: '✚',
    draw: (p, x, y, r) => {
      const t = r * 0.4;
      polygon(p, [[x - t, y - r], [x + t, y - r], [x + t, y - t], [x + r, y - t], [x + r, y + t], [x + t, y + t],
        [x + t, y + r], [x - t, y + r], [x - t, y + t], [x - r, y + t], [x - r, y - t], [x - t, y - t]]);
    },
  },
];

function polygon(path, points) {
  path.moveTo(points[0][0], points[0][1]);
  for (let i = 1; i < points.length; i++) path.lineTo(points[i][0], points[i][1]);
  path.closePath();
}

// The legend glyph of the :f with this index among the run's :f names.
export function shapeGlyph(fIndex) {
  return SHAPES[fIndex % SHAPES.length].glyph;
}

// A uPlot points path builder that draws every point of a series as the :f's shape.
export function shapePoints(fIndex) {
  const shape = SHAPES[fIndex % SHAPES.length];
  return (u, seriesIdx, idx0, idx1) => {
    const s = u.series[seriesIdx];
    const r = (s.points.size / 2) * (window.devicePixelRatio || 1);
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    const path = new Path2D();
    for (let i = idx0; i <= idx1; i++) {
      if (ys[i] == null) continue;
      shape.draw(path, u.valToPos(xs[i], 'x', true), u.valToPos(ys[i], s.scale, true), r);
    }
    const { left, top, width, height } = u.bbox;
    const clip = new Path2D();
    clip.rect(left - 2 * r, top - 2 * r, width + 4 * r, height + 4 * r);
    return { stroke: path, fill: path, clip, flags: 0 };
  };
}
