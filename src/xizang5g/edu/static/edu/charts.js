/* Education dashboards: county overview and school charts. */
(function () {
  "use strict";
  var p = XZCharts.palette;
  function el(id) { return document.getElementById(id); }
  var county = XZCharts.dataOf("edu-county-charts");
  if (county && el("chart-counties")) {
    var c = el("chart-counties");
    XZCharts.init(c).setOption({
      color: [p[0], p[3]], tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 56, right: 56, top: 32, bottom: 40 },
      xAxis: { type: "category", data: county.counties, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: c.dataset.statements, type: "bar", data: county.statements, barMaxWidth: 28 },
        { name: c.dataset.learners, type: "line", yAxisIndex: 1, data: county.learners }
      ]
    });
  }
  var school = XZCharts.dataOf("edu-school-charts");
  if (school && el("chart-daily")) {
    XZCharts.init(el("chart-daily")).setOption({
      color: [p[0]], tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: "category", data: school.days }, yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el("chart-daily").dataset.label, type: "bar", data: school.counts, barMaxWidth: 18 }]
    });
    var k = el("chart-classes");
    XZCharts.init(k).setOption({
      color: [p[1], p[4]], tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 48, right: 48, top: 32, bottom: 28 },
      xAxis: { type: "category", data: school.classes },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, splitLine: { show: false } }],
      series: [
        { name: k.dataset.learners, type: "bar", data: school.class_learners, barMaxWidth: 24 },
        { name: k.dataset.completion, type: "line", yAxisIndex: 1, data: school.class_completion }
      ]
    });
  }
})();
