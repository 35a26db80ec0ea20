/* The demo shop's page script: pick a demo customer (a signed token, as a shop's own login would give),
 * then start the widget; chat links open it. A file of its own, so the page's CSP allows no inline script. */
(function () {
  'use strict';
  var KEY = 'deskbot.demoIdentity';
  var select = document.getElementById('demo-identity');
  var note = document.getElementById('demo-note');

  function stored() {
    try { return localStorage.getItem(KEY) || ''; } catch (e) { return ''; }
  }
  function store(v) {
    try { if (v) localStorage.setItem(KEY, v); else localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
  }
  function unavailable() {
    note.hidden = false;
    while (select.options.length > 1) select.remove(1);
    select.value = '';
  }
  function getJSON(url, options) {
    return fetch(url, options).then(function (res) {
      if (!res.ok) throw new Error(url + ': HTTP ' + res.status);
      return res.json();
    });
  }
  function fetchToken(email) {
    return getJSON('/api/demo/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ email: email })
    }).then(function (data) {
      if (!data || typeof data.token !== 'string' || !data.token) throw new Error('no token');
      return data.token;
    });
  }

  // Resolve the identity (customer list + a fresh token for the stored choice).
  var identityReady = getJSON('/api/demo/customers', { headers: { 'Accept': 'application/json' } })
    .then(function (data) {
      var customers = (data && Array.isArray(data.customers)) ? data.customers : [];
      customers.forEach(function (c) {
        if (!c || typeof c.email !== 'string') return;
        var opt = document.createElement('option');
        opt.value = c.email;
        opt.textContent = (c.name || c.email) + (c.tier ? ' (' + c.tier + ')' : '');
        select.appendChild(opt);
      });
      var want = stored();
      var known = want && Array.prototype.some.call(select.options, function (o) { return o.value === want; });
      if (!known) {
        if (want) store('');
        window.DESKBOT_CUSTOMER_TOKEN = null;
        return;
      }
      select.value = want;
      return fetchToken(want).then(function (token) {
        window.DESKBOT_CUSTOMER_TOKEN = token;
      }, function () {
        // Could not sign in as the stored customer: carry on anonymously.
        select.value = '';
        window.DESKBOT_CUSTOMER_TOKEN = null;
        note.hidden = false;
      });
    })
    .catch(function () {
      unavailable();
      window.DESKBOT_CUSTOMER_TOKEN = null;
    });

  var domReady = new Promise(function (resolve) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', resolve, { once: true });
    else resolve();
  });

  // Deferred scripts (the widget) have run by DOMContentLoaded; start it once the identity is known.
  Promise.all([identityReady, domReady]).then(function () {
    if (window.DeskbotWidget) window.DeskbotWidget.start();
  });

  var previous = stored();
  select.addEventListener('change', function () {
    var email = select.value;
    select.disabled = true;
    var ready = email ? fetchToken(email) : Promise.resolve(null);
    ready.then(function (token) {
      window.DESKBOT_CUSTOMER_TOKEN = token;
      store(email);
      previous = email;
      note.hidden = true;
      if (window.DeskbotWidget) window.DeskbotWidget.reset();
    }, function () {
      select.value = previous;
      note.hidden = false;
    }).then(function () {
      select.disabled = false;
    });
  });

  // Little page niceties: chat links open the widget, "Add to cart" bumps the counter.
  function openChat(e) {
    e.preventDefault();
    if (window.DeskbotWidget) window.DeskbotWidget.open();
  }
  document.getElementById('hero-chat').addEventListener('click', openChat);
  document.querySelectorAll('[data-chat]').forEach(function (a) { a.addEventListener('click', openChat); });
  var count = 0;
  var countEl = document.getElementById('cart-count');
  document.querySelectorAll('.add').forEach(function (btn) {
    btn.addEventListener('click', function () {
      count += 1;
      countEl.textContent = String(count);
      btn.classList.add('added');
      btn.textContent = 'Added ✓';
      setTimeout(function () { btn.classList.remove('added'); btn.textContent = 'Add to cart'; }, 1400);
    });
  });
})();
