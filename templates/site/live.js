// Served by `incident serve` only: reloads the page when the site was rebuilt.
// Every tab shares one event stream through a SharedWorker: over HTTP/1.1 a browser opens
// at most 6 connections to a host, and a stream per tab would leave none for a 7th tab.
(function () {
  'use strict';
  function reload() { window.location.reload(); }
  if (window.SharedWorker) {
    var port = new SharedWorker('/__incident/live-worker.js').port;
    port.onmessage = function (e) { if (e.data === 'reload') { reload(); } };
    window.addEventListener('pagehide', function () { port.postMessage('bye'); });
    window.addEventListener('pageshow', function (e) { if (e.persisted) { port.postMessage('hello'); } });
  } else {
    var events = new EventSource('/__incident/events');
    events.addEventListener('reload', reload);
    window.addEventListener('pagehide', function () { events.close(); });
  }
})();
