/* Stroked 24x24 icons built with createElementNS: static shapes only, no markup strings. */

const SVG_NS = 'http://www.w3.org/2000/svg';

// A shape is a path, or "c<cx> <cy> <r>" for a circle.
const ICONS = {
  alert: ['c12 12 10', 'M12 8v4', 'M12 16h.01'],
  arrowDown: ['M12 5v14', 'M19 12l-7 7-7-7'],
  book: ['M4 19.5A2.5 2.5 0 0 1 6.5 17H20', 'M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z'],
  box: ['M21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73l7 4a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16z', 'M3.27 6.96 12 12.01l8.73-5.05', 'M12 22.08V12'],
  check: ['M20 6 9 17l-5-5'],
  checkCircle: ['M22 11.08V12a10 10 0 1 1-5.93-9.14', 'M22 4 12 14.01l-3-3'],
  clock: ['c12 12 10', 'M12 6v6l4 2'],
  diff: ['c18 18 3', 'c6 6 3', 'M13 6h3a2 2 0 0 1 2 2v7', 'M11 18H8a2 2 0 0 1-2-2V9'],
  edit: ['M12 20h9', 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z'],
  globe: ['c12 12 10', 'M2 12h20', 'M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z'],
  help: ['c12 12 10', 'M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3', 'M12 17h.01'],
  inbox: ['M22 12h-6l-2 3h-4l-2-3H2', 'M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z'],
  info: ['c12 12 10', 'M12 16v-4', 'M12 8h.01'],
  lightbulb: ['M9 18h6', 'M10 22h4', 'M12 2a7 7 0 0 0-4 12.7V17h8v-2.3A7 7 0 0 0 12 2z'],
  list: ['M8 6h13', 'M8 12h13', 'M8 18h13', 'M3 6h.01', 'M3 12h.01', 'M3 18h.01'],
  lock: ['M5 11h14v10H5z', 'M7 11V7a5 5 0 0 1 10 0v4'],
  message: ['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z'],
  open: ['M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6', 'M15 3h6v6', 'M10 14 21 3'],
  plus: ['M12 5v14', 'M5 12h14'],
  rotate: ['M1 4v6h6', 'M3.51 15a9 9 0 1 0 2.13-9.36L1 10'],
  send: ['M22 2 11 13', 'M22 2 15 22 11 13 2 9 22 2z'],
  tag: ['M20.59 13.41l-7.17 7.17a2 2 0 0 1-2.83 0L2 12V2h10l8.59 8.59a2 2 0 0 1 0 2.82z', 'M7 7h.01'],
  telegram: ['M21.5 4.5 2.9 11.7c-.9.4-.9 1.1 0 1.4l4.6 1.4 1.8 5.4c.2.6.6.7 1.1.3l2.6-2.2 4.8 3.5c.6.4 1.1.2 1.3-.6L22.5 5.8c.3-1.1-.3-1.6-1-1.3zM9 14.3l9.3-6.2'],
  ticket: ['M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 0 0-4z'],
  undo: ['M3 7v6h6', 'M21 17a9 9 0 0 0-15-6.7L3 13'],
  user: ['M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2', 'c12 7 4'],
  x: ['M18 6 6 18', 'M6 6l12 12'],
  xCircle: ['c12 12 10', 'M15 9l-6 6', 'M9 9l6 6'],
};

const SVG_ATTRS = {
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  'stroke-width': '2',
  'stroke-linecap': 'round',
  'stroke-linejoin': 'round',
  'aria-hidden': 'true',
  focusable: 'false',
};

function shapeNode(shape) {
  if (shape.charAt(0) !== 'c') {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', shape);
    return path;
  }
  const parts = shape.slice(1).split(' ');
  const circle = document.createElementNS(SVG_NS, 'circle');
  circle.setAttribute('cx', parts[0]);
  circle.setAttribute('cy', parts[1]);
  circle.setAttribute('r', parts[2]);
  return circle;
}

/** A stroked 24x24 icon; an unknown name gives an empty icon rather than an error. */
export function icon(name, cls) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  Object.keys(SVG_ATTRS).forEach(function (key) {
    svg.setAttribute(key, SVG_ATTRS[key]);
  });
  svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
  (ICONS[name] || []).forEach(function (shape) {
    svg.appendChild(shapeNode(shape));
  });
  return svg;
}
