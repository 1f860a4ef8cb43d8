// Served by `incident serve` only: reloads the page when the site was rebuilt.
// Every tab shares one event stream through a SharedWorker: over HTTP/1.1 a browser opens
// at most 6 connections to a host, and a stream per tab would leave none for a 7th tab.
(function () {
  'use strict';
  function reload() { window.location.reload(); }
  // The event's data: the site paths the rebuild changed (JSON), or "*" for every page.
  // This tab reloads for its own page or an asset, not for another incident's.
  function mine(data) {
    var pages;
    try { pages = JSON.parse(data); } catch (err) { return true; }
    if (!Array.isArray(pages)) { return true; }
    var path = decodeURIComponent(window.location.pathname).replace(/^\//, '');
    if (path === '' || path.charAt(path.length - 1) === '/') { path += 'index.html'; }
    return pages.some(function (p) { return p === path || p.indexOf('assets/') === 0; });
  }
  var port = null;
  var events = null;
  function listen() {
    if (window.SharedWorker) {
      port = new SharedWorker('/__incident/live-worker.js').port;
      port.onmessage = function (e) { if (e.data && mine(e.data.reload)) { reload(); } };
    } else {
      events = new EventSource('/__incident/events');
      events.addEventListener('reload', function (e) { if (mine(e.data)) { reload(); } });
    }
  }
  listen();
  window.addEventListener('pagehide', function () {
    if (port) { port.postMessage('bye'); port.close(); port = null; }
    if (events) { events.close(); events = null; }
  });
  // Back from the page cache: the site may have been rebuilt meanwhile.
  window.addEventListener('pageshow', function (e) { if (e.persisted) { reload(); } });
})();
