// Served by `incident serve` only: the one event stream every open tab shares (live.js).
'use strict';
var ports = new Set();
var events = new EventSource('/__incident/events');
events.addEventListener('reload', function (e) {
  ports.forEach(function (port) { port.postMessage({ reload: e.data }); });
});
self.onconnect = function (e) {
  var port = e.ports[0];
  ports.add(port);
  port.onmessage = function (m) { if (m.data === 'bye') { ports.delete(port); } };
};
