// Legend labels for the charts, each led by a sample drawn as its series is: a line in the
// series' colour and dash, or the point shape's glyph in its colour. uPlot's own markers are
// boxes in one border style, which cannot show a dash-dot line or a point shape.

const SVG = 'http://www.w3.org/2000/svg';

function labelled(sample, text) {
  const span = document.createElement('span');
  span.className = 'lkv-legend';
  span.append(sample, ' ', text);
  return span;
}

// A label led by a 28 px sample of a line: colour, dash (canvas dash array) and width.
export function lineLabel(text, color, dash, width) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '10');
  svg.setAttribute('class', 'lkv-sample');
  const line = document.createElementNS(SVG, 'line');
  line.setAttribute('x1', '1');
  line.setAttribute('x2', '27');
  line.setAttribute('y1', '5');
  line.setAttribute('y2', '5');
  line.setAttribute('stroke', color);
  line.setAttribute('stroke-width', String(width));
  if (dash && dash.length) line.setAttribute('stroke-dasharray', dash.join(' '));
  svg.append(line);
  return labelled(svg, text);
}

// A label led by a point shape's glyph in the points' colour.
export function glyphLabel(text, glyph, color) {
  const sample = document.createElement('span');
  sample.className = 'lkv-sample lkv-glyph';
  sample.style.color = color;
  sample.textContent = glyph;
  return labelled(sample, text);
}
