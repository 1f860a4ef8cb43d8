// Served by `incident serve` only: reloads the page when the site was rebuilt.
// Every tab shares one event stream through a SharedWorker: over HTTP/1.1 a browser opens
// at most 6 connections to a host, and a stream per tab would leave none for a 7th tab.
(function () {
  'use strict';
  function reload() { window.location.reload(); }
  var port = null;
  var events = null;
  function listen() {
    if (window.SharedWorker) {
      port = new SharedWorker('/__incident/live-worker.js').port;
      port.onmessage = function (e) { if (e.data === 'reload') { reload(); } };
    } else {
      events = new EventSource('/__incident/events');
      events.addEventListener('reload', reload);
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
