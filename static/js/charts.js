// Draws every chart on the page from the JSON beside it, with the plotly.js basic bundle.
// Pages work without it: each chart has a table with the same numbers.
(function () {
  "use strict";
  if (!window.Plotly) {
    return;
  }
  var config = { displayModeBar: false, responsive: true };
  var charts = document.querySelectorAll("[data-chart-payload]");
  Array.prototype.forEach.call(charts, function (element) {
    var payload = document.getElementById(element.getAttribute("data-chart-payload"));
    if (!payload) {
      return;
    }
    var figure = JSON.parse(payload.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout || {}, config).then(function () {
      element.setAttribute("data-chart-drawn", "true");
    });
  });
})();
