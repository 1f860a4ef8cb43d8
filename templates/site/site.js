// incident site: search over a prebuilt index, and unfolded output when printing.
// No network beyond this site's own files; results are built with textContent, never HTML.
(function () {
  'use strict';
  var script = document.currentScript;
  var root = new URL('../', script ? script.src : document.baseURI);

  window.addEventListener('beforeprint', function () {
    var all = document.querySelectorAll('details');
    for (var i = 0; i < all.length; i++) { all[i].open = true; }
  });

  var input = document.getElementById('search');
  var list = document.getElementById('search-results');
  if (!input || !list) { return; }
  var index = null;
  var loading = false;

  // Loads the index once; whatever was typed meanwhile is searched when it arrives.
  // 6812 finds "6,812 restarts", and 6,812 finds "6812": digit groups are read as one number.
  function grouped(text) {
    return text.replace(/(\d)[,\u202f\u00a0_'](?=\d{3}(?!\d))/g, '$1');
  }

  function load() {
    if (index || loading) { return; }
    loading = true;
    var tag = document.createElement('script');
    tag.src = new URL('search-index.js', root).href;
    tag.onload = function () {
      var data = window.INCIDENT_SEARCH_INDEX || [];
      index = data.map(function (e) {
        var hay = [e.t, e.d || '', e.s || '', e.st, (e.g || []).join(' '), (e.v || []).join(' '), e.x || ''].join(' ');
        return { e: e, title: grouped(e.t.toLowerCase()), hay: grouped(hay.toLowerCase()) };
      });
      if (input.value) { show(); }
    };
    tag.onerror = function () { loading = false; };
    document.head.appendChild(tag);
  }

  function clear() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
  }

  function show() {
    var terms = grouped(input.value.toLowerCase()).split(/\s+/).filter(Boolean);
    clear();
    if (!terms.length) { list.hidden = true; return; }
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var item = index[i];
      var all = true, score = 0;
      for (var j = 0; j < terms.length; j++) {
        if (item.hay.indexOf(terms[j]) < 0) { all = false; break; }
        if (item.title.indexOf(terms[j]) >= 0) { score += 1; }
      }
      if (all) { hits.push({ item: item, score: score, order: i }); }
    }
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    var shown = hits.slice(0, 20);
    for (var k = 0; k < shown.length; k++) {
      var e = shown[k].item.e;
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = new URL(e.u, root).href;
      a.textContent = e.t;
      var small = document.createElement('small');
      small.textContent = [e.d, e.s, e.st].filter(Boolean).join(' · ');
      li.appendChild(a);
      li.appendChild(small);
      list.appendChild(li);
    }
    if (!shown.length) {
      var none = document.createElement('li');
      none.className = 'none';
      none.textContent = 'No incident matches';
      list.appendChild(none);
    } else if (hits.length > shown.length) {
      var more = document.createElement('li');
      more.className = 'none';
      more.textContent = (hits.length - shown.length) + ' more: add words to narrow it down';
      list.appendChild(more);
    }
    list.hidden = false;
  }

  input.addEventListener('input', function () { if (index) { show(); } else { load(); } });
  input.addEventListener('focus', load);
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { input.value = ''; clear(); list.hidden = true; }
    if (ev.key === 'Enter') {
      var first = list.querySelector('a');
      if (first) { window.location.href = first.href; }
    }
  });
  // Escape from a result (reached with Tab) closes the list too, back in the box.
  list.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { list.hidden = true; input.focus(); }
  });
  document.addEventListener('click', function (ev) {
    if (!list.contains(ev.target) && ev.target !== input) { list.hidden = true; }
  });
})();
