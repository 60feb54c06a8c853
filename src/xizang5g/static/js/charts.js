/* Shared ECharts helpers: one look for every chart of the platform. */
(function () {
  "use strict";
  var palette = ["#0b4a8b", "#1f9d55", "#e0a100", "#d64545", "#6f42c1", "#0a8ca8", "#b5651d", "#5b6b7f"];
  var instances = [];

  function init(el) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    instances.push(chart);
    return chart;
  }

  function dataOf(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  window.addEventListener("resize", function () {
    instances.forEach(function (chart) { chart.resize(); });
  });

  window.XZCharts = { palette: palette, init: init, dataOf: dataOf };
})();
