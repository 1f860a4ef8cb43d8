// Served by `incident serve` only: reloads the page when the site was rebuilt.
(function () {
  'use strict';
  var events = new EventSource('/__incident/events');
  events.addEventListener('reload', function () { window.location.reload(); });
})();
