// charts.js — the dashboards' charts, drawn as SVG by this module (no chart library): an age
// pyramid, a time series of one or more lines, horizontal bars, and a schematic tile map of the
// province's communes. Each chart is an <svg role="img"> with a <title> and <desc> that say what
// it shows in words, and every value is also in a table beside it for screen readers and print.
// Sizes are in the viewBox, so a chart fills its box on a wall screen or a tablet alike.

const NS = 'http://www.w3.org/2000/svg';
// Colours that keep WCAG AA contrast against white, told apart by more than hue where it matters.
export const COLOURS = ['#1d5fbf', '#a4161a', '#1e7b3c', '#8a5a00', '#5b3a9b', '#00677a'];

function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function frame(width, height, title, desc) {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', preserveAspectRatio: 'xMidYMid meet' },
    s('title', {}, title), s('desc', {}, desc));
}

const fmt = (n) => new Intl.NumberFormat(document.documentElement.lang || 'vi').format(n);

// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least max.
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

// rows: [{band, male, female}] from the youngest band; labels: {male, female}.
export function pyramid(rows, { title, labels }) {
  const W = 640, H = 40 + rows.length * 22, mid = W / 2, half = mid - 60;
  const max = niceMax(Math.max(1, ...rows.flatMap((r) => [r.male, r.female])));
  const total = rows.reduce((a, r) => a + r.male + r.female, 0);
  const svg = frame(W, H, title, `${labels.male}: ${fmt(rows.reduce((a, r) => a + r.male, 0))}; ${labels.female}: ${fmt(rows.reduce((a, r) => a + r.female, 0))}; ${fmt(total)}`);
  svg.append(s('text', { x: mid - 40, y: 16, 'text-anchor': 'end', class: 'legend' }, `◀ ${labels.male}`),
    s('text', { x: mid + 40, y: 16, class: 'legend' }, `${labels.female} ▶`));
  [...rows].reverse().forEach((r, i) => {
    const y = 28 + i * 22;
    const wm = (r.male / max) * half, wf = (r.female / max) * half;
    svg.append(
      s('rect', { x: mid - 30 - wm, y, width: wm, height: 18, fill: COLOURS[0] }, s('title', {}, `${r.band} ${labels.male}: ${fmt(r.male)}`)),
      s('rect', { x: mid + 30, y, width: wf, height: 18, fill: COLOURS[1] }, s('title', {}, `${r.band} ${labels.female}: ${fmt(r.female)}`)),
      s('text', { x: mid, y: y + 14, 'text-anchor': 'middle', class: 'axis' }, r.band));
  });
  return svg;
}

// series: [{name, points: [{x: 'YYYY-MM', y}]}] sharing the same x values.
export function lines(series, { title }) {
  const W = 640, H = 260, L = 56, R = 12, T = 28, B = 36;
  const xs = [...new Set(series.flatMap((se) => se.points.map((p) => p.x)))].sort();
  const ys = series.flatMap((se) => se.points.map((p) => p.y));
  const lo = Math.min(0, ...ys), hi = niceMax(Math.max(1, ...ys));
  const X = (i) => L + (xs.length < 2 ? (W - L - R) / 2 : (i * (W - L - R)) / (xs.length - 1));
  const Y = (v) => T + ((hi - v) * (H - T - B)) / (hi - lo || 1);
  const svg = frame(W, H, title, series.map((se) => `${se.name}: ${se.points.map((p) => `${p.x} ${fmt(p.y)}`).join(', ')}`).join('. '));
  for (const v of [lo, (lo + hi) / 2, hi])
    svg.append(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }),
      s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(Math.round(v))));
  const step = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((x, i) => {
    if (i % step === 0) svg.append(s('text', { x: X(i), y: H - 12, 'text-anchor': 'middle', class: 'axis' }, x));
  });
  series.forEach((se, k) => {
    const pts = se.points.map((p) => [X(xs.indexOf(p.x)), Y(p.y)]);
    svg.append(s('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: COLOURS[k % COLOURS.length], 'stroke-width': 3, 'stroke-dasharray': k ? '8 4' : null }));
    for (const [i, p] of pts.entries())
      svg.append(s('circle', { cx: p[0], cy: p[1], r: 4, fill: COLOURS[k % COLOURS.length] }, s('title', {}, `${se.name} ${se.points[i].x}: ${fmt(se.points[i].y)}`)));
    svg.append(s('text', { x: L + 8 + k * 180, y: 16, fill: COLOURS[k % COLOURS.length], class: 'legend' }, `${k ? '╌' : '━'} ${se.name}`));
  });
  return svg;
}

// items: [{label, value}], longest first as given.
export function bars(items, { title, max: limit = 12 }) {
  const shown = items.slice(0, limit);
  const W = 640, H = 16 + shown.length * 30, L = 190, R = 80;
  const max = niceMax(Math.max(1, ...shown.map((i) => i.value)));
  const svg = frame(W, H, title, shown.map((i) => `${i.label}: ${fmt(i.value)}`).join('; '));
  shown.forEach((it, k) => {
    const y = 8 + k * 30, w = ((W - L - R) * it.value) / max;
    svg.append(s('text', { x: L - 8, y: y + 17, 'text-anchor': 'end', class: 'axis' }, String(it.label).slice(0, 26)),
      s('rect', { x: L, y, width: Math.max(0, w), height: 22, fill: COLOURS[0] }),
      s('text', { x: L + w + 6, y: y + 17, class: 'axis' }, fmt(it.value)));
  });
  return svg;
}

// A schematic tile map: one square per commune in code order (which runs roughly north to south
// through the former districts), `cols` to a row, shaded by value in five steps. Not a boundary
// map: the project ships no boundary data, and the caption says so.
export function tileMap(communes, values, { title, cols = 9, onPick }) {
  const size = 64, gap = 4, rows = Math.ceil(communes.length / cols);
  const W = cols * (size + gap), H = rows * (size + gap) + 30;
  const max = Math.max(1, ...communes.map((c) => values.get(c.code) || 0));
  const steps = ['#eef3fb', '#c6d8f1', '#8fb3e3', '#4f86cf', '#1d5fbf'];
  const svg = frame(W, H, title, communes.map((c) => `${c.name}: ${fmt(values.get(c.code) || 0)}`).join('; '));
  communes.forEach((c, i) => {
    const v = values.get(c.code) || 0;
    const k = v === 0 ? 0 : Math.min(4, 1 + Math.floor((3.999 * v) / max));
    const x = (i % cols) * (size + gap), y = Math.floor(i / cols) * (size + gap);
    // The whole map is one image for assistive technology (its description lists every commune);
    // a click on a tile is a shortcut for the commune filter, which the keyboard reaches.
    const g = s('g', { class: onPick ? 'tile pick' : 'tile', 'data-commune': c.code },
      s('title', {}, `${c.name}: ${fmt(v)}`),
      s('rect', { x, y, width: size, height: size, rx: 4, fill: steps[k], stroke: '#55606e', 'stroke-width': 1 }),
      s('text', { x: x + size / 2, y: y + 26, 'text-anchor': 'middle', class: k >= 3 ? 'tile-label dark' : 'tile-label' }, c.code.slice(-3)),
      s('text', { x: x + size / 2, y: y + 46, 'text-anchor': 'middle', class: k >= 3 ? 'tile-value dark' : 'tile-value' }, fmt(v)));
    if (onPick) g.addEventListener('click', () => onPick(c.code));
    svg.append(g);
  });
  steps.forEach((col, k) => svg.append(s('rect', { x: k * 40, y: H - 22, width: 36, height: 14, fill: col, stroke: '#55606e' })));
  svg.append(s('text', { x: 5 * 40 + 6, y: H - 10, class: 'axis' }, `0 → ${fmt(max)}`));
  return svg;
}
