// Industry pages: the pond's points against their red threshold, and the dispatch comparison.
(function () {
  "use strict";
  var pond = XZCharts.dataOf("pond-chart-data");
  var el = document.getElementById("pond-chart");
  if (pond && el) {
    var chart = XZCharts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 64, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", name: "× red" },
      yAxis: { type: "category", data: pond.points, inverse: true },
      series: [{
        type: "bar",
        data: pond.ratios.map(function (v, i) { return { value: v, itemStyle: { color: pond.colours[i] } }; }),
        markLine: { symbol: "none", data: [{ xAxis: 1 }], lineStyle: { color: "#c62828" } }
      }]
    });
    el.dataset.ready = "1";
  }
  var fleet = XZCharts.dataOf("dispatch-chart-data");
  var el2 = document.getElementById("dispatch-chart");
  if (fleet && el2) {
    var chart2 = XZCharts.init(el2);
    chart2.setOption({
      animation: false, color: [XZCharts.palette[5], XZCharts.palette[1]],
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      legend: { top: 0 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: fleet.loaders }, yAxis: { type: "value" },
      series: [
        { name: el2.dataset.fixed || "fixed", type: "bar", data: fleet.fixed },
        { name: el2.dataset.dispatch || "dispatch", type: "bar", data: fleet.dispatch }
      ]
    });
    el2.dataset.ready = "1";
  }
})();
// Slope page: 1/v against time for each point, with the fitted line to its zero crossing.
(function () {
  "use strict";
  var points = XZCharts.dataOf("slope-chart-data");
  var el = document.getElementById("slope-chart");
  if (!points || !el) { return; }
  var chart = XZCharts.init(el);
  var series = [];
  points.forEach(function (p, i) {
    var colour = XZCharts.palette[i % XZCharts.palette.length];
    series.push({ name: p.name, type: "scatter", symbolSize: 6, data: p.data, itemStyle: { color: colour } });
    if (p.fit) {
      var a = p.fit[0], b = p.fit[1], t0 = p.data.length ? p.data[Math.max(0, p.data.length - 12)][0] : 0;
      series.push({ name: p.name + " fit", type: "line", showSymbol: false, data: [[t0, a * t0 + b], [-b / a, 0]],
        lineStyle: { type: "dashed", color: colour } });
    }
  });
  chart.setOption({
    animation: false, legend: { top: 0, right: 0 }, tooltip: { trigger: "item" },
    grid: { left: 56, right: 16, top: 48, bottom: 36 },
    xAxis: { type: "value", name: el.dataset.axis || "h", nameLocation: "middle", nameGap: 24 },
    yAxis: { type: "value", name: "1/v (h/mm)", min: 0 },
    series: series
  });
  el.dataset.ready = "1";
})();
