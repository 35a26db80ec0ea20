/*
 * The reports page: reads the report for the page's own query string, then paints the headline
 * figures, the charts (Chart.js, vendored) and the tables, each table with its CSV link.
 * The tables come ready from the server, the same cells as the CSV export.
 */
import { api } from '/shared/static/api.js';
import { initLogout, paintUser } from '/shared/static/chrome.js';
import { byId, h } from '/shared/static/dom.js';

const Chart = window.Chart;
const COLORS = {
  contained: '#1f6f5c',
  escalated: '#175cd3',
  gave_up: '#b42318',
  ongoing: '#98a2b3',
  met: '#067647',
  breached: '#b42318',
  pending: '#b54708',
  bot_only: '#1f6f5c',
  human_handled: '#175cd3',
  helpful: '#067647',
  not_helpful: '#b42318',
};
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const LABELS = { contained: 'Contained', escalated: 'Escalated', gave_up: 'Gave up', ongoing: 'Ongoing' };

function words(name) {
  return String(name).replace(/_/g, ' ');
}

/** Seconds as a person reads them: 42 s, 7.5 min, 3 h 12 min. */
export function duration(seconds) {
  if (seconds === '' || seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return Math.round(seconds * 10) / 10 + ' s';
  if (seconds < 90 * 60) return Math.round(seconds / 6) / 10 + ' min';
  const hours = Math.floor(seconds / 3600);
  return hours + ' h ' + Math.round((seconds - hours * 3600) / 60) + ' min';
}

function shown(value, suffix) {
  return value === '' || value === null || value === undefined ? '–' : value + (suffix || '');
}

function fillFilters(range) {
  byId('filter-from').value = range.from;
  byId('filter-to').value = range.to;
  byId('filter-channel').value = range.channel;
  byId('filter-tier').value = range.tier;
  byId('report-range').textContent = range.from + ' to ' + range.to + ' (' + range.zone + ')';
}

function paintKpis(k) {
  const tiles = [
    ['kpi-conversations', 'Conversations', shown(k.conversations)],
    ['kpi-containment', 'Contained by the bot', shown(k.containment_percent, '%')],
    ['kpi-bot-first', 'Bot first response (median)', duration(k.bot_first_response_median_s)],
    ['kpi-human-first', 'Human first response (median / p90)', duration(k.human_first_response_median_s) + ' / ' + duration(k.human_first_response_p90_s)],
    ['kpi-resolution', 'Time to resolution (median)', duration(k.resolution_median_s)],
    ['kpi-resolved', 'Tickets resolved / reopened', k.resolved + ' of ' + k.tickets + ' / ' + k.reopened],
    ['kpi-sla', 'SLA met', shown(k.sla_met_percent, '%')],
    ['kpi-csat', 'CSAT average (' + k.csat_rated + ' rated)', shown(k.csat_average)],
    ['kpi-helpful', 'Answers rated helpful', shown(k.helpful_percent, '%')],
    ['kpi-unanswered', 'Unanswered questions', shown(k.unanswered)],
  ];
  const box = byId('kpis');
  box.replaceChildren();
  tiles.forEach(function (tile) {
    box.append(h('div', { class: 'kpi panel', id: tile[0] }, [
      h('span', { class: 'kpi-label', text: tile[1] }),
      h('strong', { class: 'kpi-value', text: tile[2] }),
    ]));
  });
}

function csvHref(name) {
  const query = new URLSearchParams(window.location.search);
  query.set('table', name);
  return '/reports/export.csv?' + query.toString();
}

function paintTable(table) {
  const head = h('tr', null, table.columns.map(function (column) {
    return h('th', { scope: 'col', text: column });
  }));
  const body = table.rows.length
    ? table.rows.map(function (row) {
      return h('tr', null, row.map(function (value) { return h('td', { text: String(value) }); }));
    })
    : [h('tr', null, [h('td', { colspan: String(table.columns.length), class: 'muted', text: 'Nothing in this range.' })])];
  return h('div', { class: 'table-card report-table', 'data-table': table.name }, [
    h('div', { class: 'table-head' }, [
      h('h3', { text: table.title }),
      h('a', { class: 'btn btn-sm csv-link', href: csvHref(table.name), download: '', text: 'CSV' }),
    ]),
    // Focusable, so a keyboard can scroll a wide table (the SLA and heat-map tables are).
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': table.title }, [
      h('table', { class: 'data-table' }, [h('thead', null, [head]), h('tbody', null, body)]),
    ]),
  ]);
}

function paintTables(tables) {
  const byName = {};
  tables.forEach(function (table) { byName[table.name] = table; });
  document.querySelectorAll('[data-tables]').forEach(function (row) {
    row.replaceChildren(...row.getAttribute('data-tables').split(' ').map(function (name) {
      return paintTable(byName[name]);
    }));
  });
}

const charts = {};

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
  charts[id] = new Chart(byId(id), config);
}

function bars(labels, datasets, options) {
  return { type: 'bar', data: { labels: labels, datasets: datasets }, options: options || {} };
}

function paintCharts(c) {
  const outcomeNames = Object.keys(c.outcomes);
  draw('chart-outcomes', {
    type: 'doughnut',
    data: {
      labels: outcomeNames.map(function (n) { return LABELS[n]; }),
      datasets: [{ data: outcomeNames.map(function (n) { return c.outcomes[n]; }), backgroundColor: outcomeNames.map(function (n) { return COLORS[n]; }) }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  });
  const reasons = Object.keys(c.reasons);
  draw('chart-reasons', bars(reasons.map(words), [{ label: 'Conversations', data: reasons.map(function (r) { return c.reasons[r]; }), backgroundColor: COLORS.escalated }], { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { ticks: { precision: 0 } } } }));
  const slaReasons = Object.keys(c.sla);
  draw('chart-sla', bars(slaReasons.map(words), ['met', 'breached', 'pending'].map(function (kind) {
    return { label: words(kind), data: slaReasons.map(function (r) { return c.sla[r][kind]; }), backgroundColor: COLORS[kind] };
  }), { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }));
  draw('chart-csat', bars(['1', '2', '3', '4', '5'], Object.keys(c.csat).map(function (group) {
    return { label: words(group), data: c.csat[group], backgroundColor: COLORS[group] };
  }), { scales: { y: { ticks: { precision: 0 } } } }));
  draw('chart-helpful', {
    type: 'doughnut',
    data: {
      labels: ['Helpful', 'Not helpful'],
      datasets: [{ data: [c.helpful.helpful, c.helpful.not_helpful], backgroundColor: [COLORS.helpful, COLORS.not_helpful] }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  });
  paintHeatMap(c.volume.conversations);
  const agents = Object.keys(c.agents);
  draw('chart-agents', bars(agents, [{ label: 'Tickets handled', data: agents.map(function (a) { return c.agents[a]; }), backgroundColor: COLORS.human_handled }], { plugins: { legend: { display: false } }, scales: { y: { ticks: { precision: 0 } } } }));
}

/** Ticks on the squares' centres (0, 1, ... n - 1), not on the half-steps the axis bounds fall on. */
function integerTicks(n) {
  return function (axis) {
    axis.ticks = Array.from({ length: n }, function (_, value) { return { value: value }; });
  };
}

/** A heat map from Chart.js's scatter chart: one square per weekday and hour, darker for more. */
function paintHeatMap(grid) {
  const points = [];
  let most = 0;
  grid.forEach(function (hours, day) {
    hours.forEach(function (count, hour) {
      points.push({ x: hour, y: day, v: count });
      most = Math.max(most, count);
    });
  });
  draw('chart-volume', {
    type: 'scatter',
    data: {
      datasets: [{
        label: 'Conversations started',
        data: points,
        pointStyle: 'rect',
        pointRadius: 11,
        pointHoverRadius: 12,
        backgroundColor: function (context) {
          const point = context.raw;
          const share = point && most ? point.v / most : 0;
          return share ? 'rgba(31, 111, 92, ' + (0.12 + 0.88 * share).toFixed(3) + ')' : '#f2f4f7';
        },
        borderWidth: 0,
      }],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (context) { const p = context.raw; return WEEKDAYS[p.y] + ' ' + String(p.x).padStart(2, '0') + ':00 – ' + p.v; } } },
      },
      scales: {
        x: { min: -0.5, max: 23.5, afterBuildTicks: integerTicks(24), ticks: { autoSkip: false, callback: function (v) { return String(v).padStart(2, '0'); } }, grid: { display: false } },
        y: { min: -0.5, max: 6.5, reverse: true, afterBuildTicks: integerTicks(7), ticks: { callback: function (v) { return WEEKDAYS[v]; } }, grid: { display: false } },
      },
    },
  });
}

async function load() {
  const error = byId('report-error');
  error.hidden = true;
  let report;
  try {
    report = await api('GET', '/reports/api/report' + window.location.search);
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
    document.body.setAttribute('data-report', 'failed');
    return;
  }
  fillFilters(report.range);
  paintKpis(report.headline);
  paintTables(report.tables);
  byId('unanswered-link').href = report.links.unanswered;
  paintCharts(report.charts);
  document.body.setAttribute('data-report', 'ready');
}

paintUser(null);
initLogout();
load();
