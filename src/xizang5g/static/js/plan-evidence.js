/* The project page's live-evidence chart: activity per day and system. */
(function () {
  "use strict";
  function draw() {
    var data = XZCharts.dataOf("evidence-data");
    var el = document.getElementById("evidence-chart");
    if (!data || !el) { return; }
    var chart = XZCharts.init(el);
    chart.setOption({
      color: XZCharts.palette,
      grid: { left: 40, right: 12, top: 28, bottom: 24 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.days, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.values, barMaxWidth: 14 };
      })
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
