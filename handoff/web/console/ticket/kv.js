/* A definition list of label/value pairs; empty values are left out. */
import { add, h } from '/shared/static/dom.js';

export function kvList(pairs, cls) {
  const dl = h('dl', { class: 'kv' + (cls ? ' ' + cls : '') });
  pairs.forEach(function (pair) {
    if (pair[1] === null || pair[1] === undefined || pair[1] === '') return;
    add(dl, [h('dt', { text: pair[0] }), h('dd', null, pair[1])]);
  });
  return dl;
}
